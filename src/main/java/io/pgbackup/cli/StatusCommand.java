package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;
import io.pgbackup.health.Status;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.health.Verdict;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.StatusJob;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup status}: are the backups healthy? Judged from the store alone. */
@Command(name = "status", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Health of the backups, from the store alone (no database): freshness (BACKUP_CRON's latest due "
                + "slot has a backup, or the newest is younger than --max-age), the last drill, unreadable manifests, "
                + "anomalies against recent backups, interrupted backups, the lock. Exit 0 healthy, 13 unhealthy.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    StatusOptions options = new StatusOptions();

    @Option(names = "--json", description = "Print the status as one JSON document.")
    boolean json;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    ViewOptions view = new ViewOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        StatusPolicy policy = options.resolve(env);
        Site site = Site.reported(ctx, FlagSet.of(env, store, notify), view.storeOnly());
        PrintWriter out = spec.commandLine().getOut();
        new StatusJob(site, policy).run(status -> Print.jsonOrText(out, json, status, StatusCommand::print));
        return 0;
    }

    static void print(Status s, PrintWriter out) {
        for (Status.Check c : s.checks()) {
            out.printf(Locale.ROOT, "%-5s %-11s %s%n", c.verdict(), c.name(), c.detail());
        }
        long warnings = s.checks().stream().filter(c -> c.verdict() == Verdict.WARN).count();
        out.println(s.healthy() ? "healthy" + (warnings > 0 ? " (" + warnings + " warning(s))" : "") : "UNHEALTHY");
    }

    /** The thresholds, each with its environment fallback. */
    static final class StatusOptions {
        @Mixin
        CronOptions cron = new CronOptions();

        @Option(names = "--grace", paramLabel = "DURATION",
                description = "With BACKUP_CRON: how long after a slot its backup may take. Env: STATUS_GRACE. Default: 1h.")
        String grace;

        @Option(names = "--max-age", paramLabel = "DURATION",
                description = "Without BACKUP_CRON: the newest backup must be younger. Env: STATUS_MAX_AGE. Default: 26h.")
        String maxAge;

        @Option(names = "--drill-max-age", paramLabel = "DURATION",
                description = "Fail when the last restore drill is older (or there is none). Env: STATUS_DRILL_MAX_AGE. "
                        + "Default: off.")
        String drillMaxAge;

        @Option(names = "--history", paramLabel = "N",
                description = "Compare the newest backup with the median of the N before it. Env: STATUS_HISTORY. Default: 7.")
        String history;

        @Option(names = "--max-shrink", paramLabel = "PERCENT",
                description = "Warn when stored bytes or rows fall by more than this against that median. "
                        + "Env: STATUS_MAX_SHRINK. Default: 50%.")
        String maxShrink;

        @Option(names = "--strict", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
                description = "Warnings make the status unhealthy too. Env: STATUS_STRICT. Default: false.")
        String strict;

        StatusPolicy resolve(Map<String, String> env) {
            Duration g = Setting.resolve(env, "--grace", grace, "1h", "STATUS_GRACE").asDuration(true);
            Duration age = Setting.resolve(env, "--max-age", maxAge, "26h", "STATUS_MAX_AGE").asDuration(false);
            Setting d = Setting.resolve(env, "--drill-max-age", drillMaxAge, null, "STATUS_DRILL_MAX_AGE");
            Duration drill = d.isSet() ? d.asDuration(false) : null;
            int n = Setting.resolve(env, "--history", history, "7", "STATUS_HISTORY").asInt(1, 100);
            double shrink = percent(Setting.resolve(env, "--max-shrink", maxShrink, "50%", "STATUS_MAX_SHRINK"));
            boolean s = Setting.resolve(env, "--strict", strict, "false", "STATUS_STRICT").asBool();
            return new StatusPolicy(cron.optional(env), g, age, drill, n, shrink, s);
        }

        static double percent(Setting s) {
            String v = s.value().strip();
            try {
                double p = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
                if (p > 0 && p < 1) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw PgBackupException.config(s.source() + " must be a percentage between 0 and 100 (e.g. 50%); got '" + v + "'");
        }
    }
}
