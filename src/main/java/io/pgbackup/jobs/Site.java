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
public record Site(Context ctx, Settings settings, Repository where, Repository copy, Reporting reporting,
        MetricsRegistry metrics) {

    /** For commands that report nothing (list, restore, verify, download, report), reading {@code view}. */
    public static Site of(Context ctx, Settings s, View view) {
        Settings store = view.copy() ? copySettings(ctx) : s;
        Repository where = (view.copy() ? Repository.copy(ctx.env()) : Repository.resolve(s)).asOf(view.asOf());
        return new Site(ctx, store, where, null, Reporting.none(where, ctx.clock()), null);
    }

    /** For commands whose runs are reported (prune, drill, status), of the store {@code view} names. */
    public static Site reported(Context ctx, Settings s, View view) {
        Site site = of(ctx, s, view);
        return new Site(ctx, site.settings(), site.where(), null, Reporting.resolve(s, ctx.clock(), site.where()), null);
    }

    /**
     * For runs that upload {@code uploads} objects at once to the primary and, when configured,
     * the second store (backup, tick): their buffers must fit the heap together.
     */
    public static Site forBackups(Context ctx, Settings s, int uploads) {
        return forDaemon(ctx, s, uploads, false);
    }

    /** For the daemon: as {@link #forBackups}, and with {@code serveMetrics} a registry its runs report to. */
    public static Site forDaemon(Context ctx, Settings s, int uploads, boolean serveMetrics) {
        Repository copy = Repository.copy(ctx.env());
        int stores = copy == null ? 1 : 2;
        Repository where = uploading(Repository.resolve(s), s, uploads * stores);
        Repository second = copy == null ? null : uploading(copy, copySettings(ctx), uploads * stores);
        MetricsRegistry registry = serveMetrics ? new MetricsRegistry() : null;
        Reporting reporting = registry == null ? Reporting.resolve(s, ctx.clock(), where)
                : Reporting.resolve(s, ctx.clock(), where, registry);
        return new Site(ctx, s, where, second, reporting, registry);
    }

    private static Repository uploading(Repository r, Settings s, int uploads) {
        return r.forUploads(uploads, Runtime.getRuntime().maxMemory(), !S3Settings.partConcurrencyChosen(s));
    }

    private static Settings copySettings(Context ctx) {
        if (!Settings.hasCopy(ctx.env())) {
            throw io.pgbackup.PgBackupException.config("--store copy needs a second store: set COPY_S3_BUCKET (and "
                    + "its COPY_ settings) or COPY_BACKUP_DIR");
        }
        return Settings.copyOf(ctx.env());
    }

    /** The prefix lock's policy: LOCK_WAIT ({@code defaultWait} when unset), LOCK_TTL. */
    LockPolicy locking(String defaultWait) {
        return where.locking(settings, defaultWait);
    }
}
