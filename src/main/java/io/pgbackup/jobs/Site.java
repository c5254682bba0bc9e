package io.pgbackup.jobs;

import io.pgbackup.config.Settings;
import io.pgbackup.notify.metrics.MetricsRegistry;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.storage.s3.S3Settings;

/**
 * What every job runs with: the run's {@link Context}, its settings, the {@link Repository} the
 * backups live in and the {@link Reporting} of its runs (and, for the daemon, the registry its
 * /metrics serves). Each factory checks what it resolves before anything is opened.
 */
public record Site(Context ctx, Settings settings, Repository where, Reporting reporting, MetricsRegistry metrics) {

    /** For commands that report nothing (list, restore, verify, download, report). */
    public static Site of(Context ctx, Settings s) {
        Repository where = Repository.resolve(s);
        return new Site(ctx, s, where, Reporting.none(where, ctx.clock()), null);
    }

    /** For commands whose runs are reported (prune, drill, status). */
    public static Site reported(Context ctx, Settings s) {
        Repository where = Repository.resolve(s);
        return new Site(ctx, s, where, Reporting.resolve(s, ctx.clock(), where), null);
    }

    /** For runs that upload {@code uploads} objects at once (backup, tick): their buffers must fit the heap. */
    public static Site forBackups(Context ctx, Settings s, int uploads) {
        Repository where = uploading(s, uploads);
        return new Site(ctx, s, where, Reporting.resolve(s, ctx.clock(), where), null);
    }

    /** For the daemon: as {@link #forBackups}, and with {@code serveMetrics} a registry its runs report to. */
    public static Site forDaemon(Context ctx, Settings s, int uploads, boolean serveMetrics) {
        Repository where = uploading(s, uploads);
        if (!serveMetrics) {
            return new Site(ctx, s, where, Reporting.resolve(s, ctx.clock(), where), null);
        }
        MetricsRegistry registry = new MetricsRegistry();
        return new Site(ctx, s, where, Reporting.resolve(s, ctx.clock(), where, registry), registry);
    }

    private static Repository uploading(Settings s, int uploads) {
        return Repository.resolve(s).forUploads(uploads, Runtime.getRuntime().maxMemory(),
                !S3Settings.partConcurrencyChosen(s));
    }

    /** The prefix lock's policy: LOCK_WAIT ({@code defaultWait} when unset), LOCK_TTL. */
    LockPolicy locking(String defaultWait) {
        return where.locking(settings, defaultWait);
    }
}
