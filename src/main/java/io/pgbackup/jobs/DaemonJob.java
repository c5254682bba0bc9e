package io.pgbackup.jobs;

import io.pgbackup.PgBackupException;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.RunInfo;
import io.pgbackup.notify.metrics.MetricsRegistry;
import io.pgbackup.notify.metrics.MetricsServer;
import io.pgbackup.repo.Catalog;
import io.pgbackup.schedule.CronSchedule;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon (the schedule command): a backup at every slot of the backup schedule, then the
 * prune (PRUNE) and the report refresh (REPORT_UPLOAD); a drill of the newest backup at every slot
 * of the drill schedule; /metrics served when asked for. {@link ScheduleDaemon} does the timing.
 *
 * @param site from {@link Site#forDaemon}, with a registry when {@code parts} serve metrics
 */
public record DaemonJob(Site site, Parts parts) {
    private static final Logger log = LoggerFactory.getLogger(DaemonJob.class);

    /**
     * What the daemon runs. {@code prunes} may be empty; {@code drills} (with {@code drill}), {@code report} and
     * {@code metricsAt} may each be null: not run, not served. {@code database} labels the metrics
     * a restarted daemon seeds from the newest backup.
     */
    public record Parts(CronSchedule backupSchedule, BackupJob backups, List<PruneJob> prunes, CronSchedule drills,
            DrillJob drill, ReportJob report, InetSocketAddress metricsAt, String database, CopyDrills copyDrills) {}

    /** Drills of the second store on its own schedule (COPY_DRILL_CRON): {@code drill} reads the copy. */
    public record CopyDrills(CronSchedule schedule, DrillJob drill) {}

    /** Runs until a stop request; a running job gets {@code grace} to finish. */
    public void run(Duration grace, PrintWriter out) {
        var ctx = site.ctx();
        MetricsRegistry registry = site.metrics();
        site.where().use(objects -> {
            try (MetricsServer server = registry == null || parts.metricsAt() == null ? null
                    : serve(parts.metricsAt(), registry)) {
                if (server != null) {
                    log.info("serving metrics on port {} (/metrics, /healthz)", server.port());
                    seed(registry, objects);
                }
                ScheduleDaemon.Job backup = (slot, cancel) -> {
                    try {
                        var committed = parts.backups().scheduled(slot, objects, cancel, out);
                        parts.prunes().forEach(p -> p.afterBackup(objects, out));
                        parts.backups().reportCopy(committed, cancel);
                    } finally {
                        refresh(objects); // a failed backup is news too
                    }
                };
                ScheduleDaemon.Job drill = (slot, cancel) -> {
                    try {
                        parts.drill().latest(objects, "scheduled drill for slot " + slot, r -> {
                            out.println("drill of " + r.backup() + (r.passed() ? " passed" : " FAILED: " + r.checks()));
                            out.flush();
                        });
                    } finally {
                        refresh(objects);
                    }
                };
                List<ScheduleDaemon.Entry> entries = new ArrayList<>();
                entries.add(new ScheduleDaemon.Entry("backup", parts.backupSchedule(), backup));
                if (parts.drills() != null) {
                    entries.add(new ScheduleDaemon.Entry("restore drill", parts.drills(), drill));
                }
                if (parts.copyDrills() != null) {
                    entries.add(new ScheduleDaemon.Entry("restore drill of the second store",
                            parts.copyDrills().schedule(), (slot, cancel) -> parts.copyDrills().drill().site().where()
                                    .use(copy -> parts.copyDrills().drill().latest(copy,
                                            "scheduled drill of the second store for slot " + slot, r -> {
                                                out.println("drill of " + r.backup() + " in the second store"
                                                        + (r.passed() ? " passed" : " FAILED: " + r.checks()));
                                                out.flush();
                                            }))));
                }
                new ScheduleDaemon(ctx.clock(), grace).run(entries, ctx.cancellation());
            }
        });
    }

    private void refresh(ObjectStore objects) {
        if (parts.report() != null) {
            parts.report().refresh(objects);
        }
    }

    /**
     * A restarted daemon serves the newest backup's figures at once, so the last-success alert
     * neither fires nor goes blind (an absent series) until the next slot.
     */
    private void seed(MetricsRegistry registry, ObjectStore objects) {
        String database = parts.database();
        try {
            new Catalog(objects, site.where().layout()).all().stream()
                    .filter(m -> database.equals(m.source() == null ? null : m.source().database()))
                    .findFirst().ifPresent(m -> registry.finished(new RunInfo("", Kind.BACKUP, "backup", "",
                            site.where().describe(), site.where().prefix(), database,
                            m.finishedAt().minusMillis(m.durationMillis())), Outcomes.backup(m)));
        } catch (RuntimeException e) {
            log.warn("metrics start empty: cannot read the store yet: {}", e.getMessage());
        }
    }

    private static MetricsServer serve(InetSocketAddress at, MetricsRegistry registry) {
        try {
            return new MetricsServer(at, registry);
        } catch (IOException e) {
            throw PgBackupException.config("METRICS_ADDR " + at + ": cannot listen: " + e.getMessage());
        }
    }
}
