package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import io.pgbackup.notify.metrics.MetricsRegistry;
import io.pgbackup.notify.metrics.MetricsServer;
import java.net.InetSocketAddress;
import org.slf4j.LoggerFactory;
import io.pgbackup.repo.Catalog;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.backup.drill.DrillService;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.backup.inspect.ReportService;
import io.pgbackup.jobs.ScheduleDaemon;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.schedule.CronSchedule;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
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
    public Integer call() throws Exception {
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
        Duration grace = LockOptions.duration(Setting.resolve(env, "--shutdown-grace", shutdownGrace, "30s",
                "SHUTDOWN_GRACE"), true);
        // A running backup gets the grace to finish; its abort and cleanup then get 10 s more.
        ctx.cancellation().hardStopAfter(grace.plus(Duration.ofSeconds(10)));
        ConnectionString source = database.resolve(env);
        ConnectionString drillServer = target.resolve(env).orElse(source);
        BackupOptions.Resolved how = backup.resolve(env);
        RetentionPolicy policy = prune.policy(env, cron.zone(env));
        StoreOptions.Resolved where = store.resolve(env).requireUploadMemory(how.uploadsInFlight(),
                Runtime.getRuntime().maxMemory(), !store.partConcurrencyChosen(env));
        LockPolicy locking = lock.resolve(env, "0", where);
        boolean report = Flags.bool(Setting.resolve(env, "--report-upload", reportUpload, "false", "REPORT_UPLOAD"));
        Duration reportWindow = Duration.ofDays(Flags.intInRange(
                Setting.resolve(env, "--report-days", reportDays, "90", "REPORT_DAYS"), 1, 3660));
        StatusPolicy reportPolicy = new StatusPolicy(schedule, StatusPolicy.DEFAULT_GRACE, StatusPolicy.DEFAULT_MAX_AGE, null,
                StatusPolicy.DEFAULT_HISTORY, StatusPolicy.DEFAULT_MAX_SHRINK, false);
        Setting ma = Setting.resolve(env, "--metrics-addr", metricsAddr, null, "METRICS_ADDR");
        InetSocketAddress metricsAt = ma.isSet() ? listenAddress(ma) : null;
        MetricsRegistry registry = new MetricsRegistry();
        Notifier notifier = metricsAt == null ? notify.resolve(env, ctx.clock()) : notify.resolve(env, ctx.clock(), registry);
        String drillDatabase = Reported.configuredDatabase(env);
        io.pgbackup.pipeline.age.AgeIdentities keys = identity.resolve(env);
        if (drills != null && how.recipients() != null && keys.isEmpty()) {
            throw PgBackupException.config("DRILL_CRON with encrypted backups (AGE_RECIPIENTS) needs an identity to "
                    + "restore them: set AGE_IDENTITY_FILE, or (better: the backup host then holds no private key) run "
                    + "the drills on another machine");
        }
        try (ObjectStore objects = where.open(); MetricsServer server = metricsAt == null ? null : serve(metricsAt, registry)) {
            if (server != null) {
                LoggerFactory.getLogger(ScheduleCommand.class).info("serving metrics on port {} (/metrics, /healthz)",
                        server.port());
            }
            Catalog catalog = new Catalog(objects, where.layout());
            if (server != null) {
                seed(registry, catalog, where, source.database());
            }
            ScheduledRun run = new ScheduledRun(catalog, source, how, policy, locking, ctx, out, notifier, where);
            Runnable refresh = () -> {
                if (report) {
                    refreshReport(catalog, ctx, reportWindow, reportPolicy);
                }
            };
            ScheduleDaemon.Job backupJob = (slot, cancel) -> {
                try {
                    run.backup(slot, cancel,
                            () -> locking.acquire(objects, where.layout(), "schedule " + slot, ctx.clock(), cancel));
                    run.pruneAfterBackup();
                } finally {
                    refresh.run(); // a failed backup is news too
                }
            };
            ScheduleDaemon.Job drillJob = (slot, cancel) -> {
                try {
                    Reported.run(notifier, Kind.DRILL, "scheduled drill for slot " + slot, where, drillDatabase, cancel,
                            () -> drill(catalog, keys, drillServer, ctx, out), o -> o);
                } finally {
                    refresh.run();
                }
            };
            new ScheduleDaemon(ctx.clock(), grace).run(schedule, backupJob, drills, drillJob, ctx.cancellation());
        }
        return 0;
    }

    /** Best effort: a report that cannot be refreshed is one warning, never a failed job. */
    private static void refreshReport(Catalog catalog, Context ctx, Duration window, StatusPolicy policy) {
        try {
            ReportService service = new ReportService(catalog, ctx.clock());
            service.upload(service.render(window, policy));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ScheduleCommand.class).warn("could not refresh {}: {}",
                    catalog.layout().reportKey(), e.getMessage());
        }
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

    /**
     * A restarted daemon serves the newest backup's figures at once, so the last-success alert
     * neither fires nor goes blind (an absent series) until the next slot.
     */
    private static void seed(MetricsRegistry registry, Catalog catalog, StoreOptions.Resolved where, String database) {
        try {
            catalog.all().stream().filter(m -> database.equals(m.source() == null ? null : m.source().database()))
                    .findFirst().ifPresent(m -> registry.finished(new RunInfo("", Kind.BACKUP, "backup", "", where.describe(),
                            where.layout().prefix(), database, m.finishedAt().minusMillis(m.durationMillis())),
                            Outcomes.backup(m)));
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(ScheduleCommand.class).warn("metrics start empty: cannot read the store yet: {}",
                    e.getMessage());
        }
    }

    private static MetricsServer serve(InetSocketAddress at, MetricsRegistry registry) {
        try {
            return new MetricsServer(at, registry);
        } catch (java.io.IOException e) {
            throw PgBackupException.config("METRICS_ADDR " + at + ": cannot listen: " + e.getMessage());
        }
    }

    private static Outcome drill(Catalog catalog, io.pgbackup.pipeline.age.AgeIdentities keys, ConnectionString server,
            Context ctx, PrintWriter out) {
        List<Manifest> all = catalog.all();
        if (all.isEmpty()) {
            throw new PgBackupException(io.pgbackup.ExitCode.NOT_FOUND, "no backup to drill yet");
        }
        Manifest m = all.get(0);
        DrillService service = new DrillService(new ObjectReader(catalog.store(), keys), catalog.layout(),
                new PgTools(ctx.env()), ctx.clock(), ctx.cancellation());
        DrillReport r = m.serverBackup()
                ? service.drillServer(new DrillService.ServerRequest(m, server, null, false, null, List.of(), null, m, false,
                        null))
                : service.drill(new DrillService.Request(m, server, DrillService.defaultScratchName(m.stem()), false, null,
                        List.of(), null, m));
        out.println("drill of " + m.stem() + (r.passed() ? " passed" : " FAILED: " + r.checks()));
        out.flush();
        if (!r.passed()) {
            throw new PgBackupException(io.pgbackup.ExitCode.CHECK_FAILED, "drill of " + m.stem() + " failed: "
                    + r.checks().stream().filter(c -> !c.ok()).map(c -> c.name() + " (" + c.detail() + ")")
                            .collect(java.util.stream.Collectors.joining("; ")));
        }
        return Outcomes.drill(r, m, ctx.clock().instant());
    }
}
