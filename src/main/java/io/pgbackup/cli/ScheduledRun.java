package io.pgbackup.cli;

import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.backup.take.BackupService;
import io.pgbackup.Cancellation;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.retention.RetentionPolicy;
import java.io.PrintWriter;
import java.time.Instant;

/**
 * What tick and schedule do for one slot: a scheduled backup (caller holds the lock), then the
 * optional retention run (PRUNE), which takes the lock itself.
 */
record ScheduledRun(Catalog catalog, ConnectionString source, BackupOptions.Resolved how, RetentionPolicy prune,
        LockPolicy pruneLock, Context ctx, PrintWriter out, Notifier notifier, StoreOptions.Resolved where) {

    /** A scheduled backup for {@code slot}, reported; the caller holds {@code lock} (tick). */
    Manifest backup(Instant slot, Cancellation cancel, PrefixLock lock) {
        return reported(slot, cancel, () -> unreported(slot, cancel, lock));
    }

    /**
     * A scheduled backup for {@code slot} that takes (and releases) its own lock (the daemon),
     * reported from before the lock is taken, so a run that cannot get it is a failure its
     * channels hear about.
     */
    Manifest backup(Instant slot, Cancellation cancel, java.util.function.Supplier<PrefixLock> lock) {
        return reported(slot, cancel, () -> {
            try (PrefixLock held = lock.get()) {
                return unreported(slot, cancel, held);
            }
        });
    }

    private Manifest reported(Instant slot, Cancellation cancel, java.util.function.Supplier<Manifest> job) {
        return Reported.run(notifier, Kind.BACKUP, "scheduled backup for slot " + slot, where, Backups.label(how, source), cancel,
                job, Outcomes::backup);
    }

    private Manifest unreported(Instant slot, Cancellation cancel, PrefixLock lock) {
        PgTools tools = new PgTools(ctx.env());
        BackupRequest req = how.request(source, null, BackupRequest.SCHEDULED, slot);
        Manifest m = Backups.take(how, req, Backups.preflight(how, req, tools), catalog.store(), catalog.layout(), tools,
                ctx.clock(), cancel, lock);
        out.println(catalog.layout().manifestKey(m.stem()));
        out.flush();
        return m;
    }

    void pruneAfterBackup() {
        if (prune != null) {
            PruneCommand.run(catalog, prune, false, pruneLock, ctx, out, notifier, where);
        }
    }
}
