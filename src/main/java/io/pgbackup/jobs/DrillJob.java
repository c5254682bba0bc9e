package io.pgbackup.jobs;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.drill.DrillRequest;
import io.pgbackup.backup.drill.DrillService;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.notify.Kind;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pipeline.age.AgeIdentities;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Restore drills of any backup, one database's or a server's, for the drill command and the
 * daemon's DRILL_CRON: the backup is picked, restored on the drill server and checked, its report
 * stored next to it and shown; a failed check is exit 9 (CHECK_FAILED). Reported as a drill.
 *
 * @param keys   the identities that read encrypted backups
 * @param server a database on the drill server (where the scratch databases are created and dropped)
 */
public record DrillJob(Site site, AgeIdentities keys, ConnectionString server) {
    /**
     * Drills the backup {@code pick} chooses with {@code options} ({@code newest} of their checks is
     * filled in); {@code show} sees the report before a failed one becomes exit 9.
     */
    public DrillReport run(Pick pick, DrillRequest.Options options, Consumer<DrillReport> show) {
        return reported("drill", () -> site.where().with(objects -> drill(objects, pick, options, show)));
    }

    /** The daemon's drill of the newest backup, in the open {@code objects}. */
    DrillReport latest(ObjectStore objects, String command, Consumer<DrillReport> show) {
        return reported(command, () -> {
            if (new Catalog(objects, site.where().layout()).all().isEmpty()) {
                throw new PgBackupException(ExitCode.NOT_FOUND, "no backup to drill yet");
            }
            return drill(objects, Pick.of(null, null, site.ctx().clock()), DrillRequest.Options.DEFAULT, show);
        });
    }

    private DrillReport reported(String command, java.util.function.Supplier<Drilled> job) {
        var ctx = site.ctx();
        return site.reporting().run(Kind.DRILL, command, Reporting.configuredDatabase(ctx.env()), ctx.cancellation(), job,
                d -> Outcomes.drill(d.report(), d.backup(), ctx.clock().instant())).report();
    }

    private record Drilled(DrillReport report, Manifest backup) {}

    private Drilled drill(ObjectStore objects, Pick pick, DrillRequest.Options options, Consumer<DrillReport> show) {
        var ctx = site.ctx();
        List<Manifest> all = new Catalog(objects, site.where().layout()).all();
        Manifest m = pick.from(all);
        DrillRequest.Checks c = options.checks();
        DrillRequest req = new DrillRequest(m, server, options.with(new DrillRequest.Checks(c.tolerance(), c.sql(),
                c.maxAge(), all.get(0))));
        DrillReport report = new DrillService(new ObjectReader(objects, keys), site.where().layout(),
                new PgTools(ctx.env()), ctx.clock(), ctx.cancellation()).drill(req);
        show.accept(report);
        if (!report.passed()) {
            throw new PgBackupException(ExitCode.CHECK_FAILED, "drill of " + m.stem() + " failed: "
                    + report.checks().stream().filter(x -> !x.ok()).map(x -> x.name() + " (" + x.detail() + ")")
                            .collect(Collectors.joining("; ")));
        }
        // A server backup's one drilled database is what the run is about (its label in events and metrics).
        boolean one = m.serverBackup() && options.databases() != null && options.databases().size() == 1;
        return new Drilled(report, one ? m.forDatabase(options.databases().get(0)) : m);
    }
}
