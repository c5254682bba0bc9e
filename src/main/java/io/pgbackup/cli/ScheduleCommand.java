package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.jobs.BackupJob;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.DaemonJob;
import io.pgbackup.jobs.DrillJob;
import io.pgbackup.jobs.ReportJob;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.View;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pipeline.age.AgeIdentities;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.schedule.CronSchedule;

import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup schedule}: the long-running scheduler daemon. */
@Command(name = "schedule", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Run as a daemon: back up at every BACKUP_CRON slot (optionally drill at DRILL_CRON and prune "
                + "after each backup). SIGTERM/SIGINT stop it; a running backup gets --shutdown-grace to finish.")
final class ScheduleCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--explain", description = "Print the next 5 fire times and exit.")
    boolean explain;

    @Mixin
    CronOptions cron = new CronOptions();

    @Option(names = "--drill-cron", paramLabel = "EXPR", description = "Also run restore drills on this schedule. Env: DRILL_CRON.")
    String drillCron;

    @Option(names = "--copy-drill-cron", paramLabel = "EXPR",
            description = "Also drill the newest backup of the second store (COPY_S3_BUCKET) on this schedule. "
                    + "Env: COPY_DRILL_CRON.")
    String copyDrillCron;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION",
            description = "How long a running backup may finish after SIGTERM. Env: SHUTDOWN_GRACE. Default: 30s.")
    String shutdownGrace;

    @Option(names = "--report-upload", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "Refresh <prefix>/report.html after every backup and drill. Env: REPORT_UPLOAD. Default: false.")
    String reportUpload;

    @Option(names = "--report-days", paramLabel = "N", description = "Days the report covers. Env: REPORT_DAYS. Default: 90.")
    String reportDays;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    BackupOptions backup = new BackupOptions();

    @Mixin
    PruneSwitch prune = new PruneSwitch();

    @Mixin
    TargetOptions target = new TargetOptions();

    @Mixin
    LockOptions lock = new LockOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Option(names = "--metrics-addr", paramLabel = "[HOST]:PORT",
            description = "Serve the metrics at http://HOST:PORT/metrics (and /healthz), e.g. :9187. Env: METRICS_ADDR. "
                    + "Default: off.")
    String metricsAddr;

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        CronSchedule schedule = cron.backup(env);
        PrintWriter out = spec.commandLine().getOut();
        if (explain) {
            out.println(schedule.describe() + ", next fire times:");
            for (ZonedDateTime t : schedule.next(ctx.clock().instant(), 5)) {
                out.println("  " + t + " (" + t.toInstant() + ")");
            }
            out.flush();
            return 0;
        }
        Setting dc = Setting.resolve(env, "--drill-cron", drillCron, null, "DRILL_CRON");
        CronSchedule drills = dc.isSet() ? CronOptions.parse(dc, cron.zone(env)) : null;
        Duration grace = Setting.resolve(env, "--shutdown-grace", shutdownGrace, "30s", "SHUTDOWN_GRACE").asDuration(true);
        // A running backup gets the grace to finish; its abort and cleanup then get 10 s more.
        ctx.cancellation().hardStopAfter(grace.plus(Duration.ofSeconds(10)));
        ConnectionString source = database.resolve(env);
        ConnectionString drillServer = target.resolve(env).orElse(source);
        BackupJob.Plan plan = backup.resolve(env);
        RetentionPolicy policy = prune.policy(env, cron.zone(env));
        boolean report = Setting.resolve(env, "--report-upload", reportUpload, "false", "REPORT_UPLOAD").asBool();
        Duration reportWindow = Duration.ofDays(
                Setting.resolve(env, "--report-days", reportDays, "90", "REPORT_DAYS").asInt(1, 3660));
        StatusPolicy reportPolicy = new StatusPolicy(schedule, StatusPolicy.DEFAULT_GRACE, StatusPolicy.DEFAULT_MAX_AGE, null,
                StatusPolicy.DEFAULT_HISTORY, StatusPolicy.DEFAULT_MAX_SHRINK, false);
        Setting ma = Setting.resolve(env, "--metrics-addr", metricsAddr, null, "METRICS_ADDR");
        InetSocketAddress metricsAt = ma.isSet() ? listenAddress(ma) : null;
        Site site = Site.forDaemon(ctx, FlagSet.of(env, store, lock, notify), plan.uploadsInFlight(), metricsAt != null);
        AgeIdentities keys = identity.resolve(env);
        if (drills != null && plan.what().encrypted() && keys.isEmpty()) {
            throw PgBackupException.config("DRILL_CRON with encrypted backups (AGE_RECIPIENTS) needs an identity to "
                    + "restore them: set AGE_IDENTITY_FILE, or (better: the backup host then holds no private key) run "
                    + "the drills on another machine");
        }
        Setting cdc = Setting.resolve(env, "--copy-drill-cron", copyDrillCron, null, "COPY_DRILL_CRON");
        DaemonJob.CopyDrills copyDrills = cdc.isSet() ? new DaemonJob.CopyDrills(CronOptions.parse(cdc, cron.zone(env)),
                new DrillJob(Site.reported(ctx, FlagSet.of(env, store, lock, notify), new View(true, null)), keys,
                        drillServer)) : null;
        DaemonJob.Parts parts = new DaemonJob.Parts(schedule, BackupJob.of(site, source, plan),
                Prunes.after(ctx, site, policy, prune, cron, FlagSet.of(env, store, lock, notify)), drills,
                new DrillJob(site, keys, drillServer),
                report ? new ReportJob(site, reportWindow, reportPolicy) : null, metricsAt, source.database(), copyDrills);
        new DaemonJob(site, parts).run(grace, out);
        return 0;
    }

    /** {@code :9187}, {@code 0.0.0.0:9187}, {@code [::1]:9187}, {@code localhost:9187}; exit 2 otherwise. */
    static InetSocketAddress listenAddress(Setting s) {
        String v = s.value().strip();
        int colon = v.lastIndexOf(':');
        if (colon >= 0) {
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(v.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
                }
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw PgBackupException.config(s.source() + " must be [HOST]:PORT, e.g. :9187 or 127.0.0.1:9187; got '" + v + "'");
    }
}
