package io.pgbackup.jobs;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.inspect.StatusService;
import io.pgbackup.health.Status;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.health.Verdict;
import io.pgbackup.notify.Kind;
import io.pgbackup.repo.Catalog;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Whether the backups are healthy, judged from the store alone; reported as a status run, where
 * unhealthy is the failure its ping (/fail) and webhook (status.unhealthy) report: exit 13.
 */
public record StatusJob(Site site, StatusPolicy policy) {
    /** Judges; {@code show} sees the status before an unhealthy one becomes exit 13. */
    public Status run(Consumer<Status> show) {
        var ctx = site.ctx();
        return site.reporting().run(Kind.STATUS, "status", Reporting.configuredDatabase(ctx.env()), ctx.cancellation(),
                () -> {
                    Status status = site.where().with(objects -> new StatusService(
                            new Catalog(objects, site.where().layout()), ctx.clock(), site.where().lock()).status(policy));
                    show.accept(status);
                    if (!status.healthy()) {
                        throw new PgBackupException(ExitCode.UNHEALTHY, "unhealthy: " + failing(status, policy.strict()));
                    }
                    return status;
                }, Outcomes::status);
    }

    static String failing(Status s, boolean strict) {
        return s.checks().stream().filter(c -> c.verdict() == Verdict.FAIL || strict && c.verdict() == Verdict.WARN)
                .map(c -> c.name() + " (" + c.detail() + ")").collect(Collectors.joining("; "));
    }
}
