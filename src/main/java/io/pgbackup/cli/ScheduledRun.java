package io.pgbackup.cli;

import io.pgbackup.backup.BackupRequest;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.backup.BackupService;
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
        LockPolicy pruneLock, Context ctx, PrintWriter out) {

    /** A scheduled backup for {@code slot}; the caller holds {@code lock}. */
    Manifest backup(Instant slot, Cancellation cancel, PrefixLock lock) {
        PgTools tools = new PgTools(ctx.env());
        BackupService service = new BackupService(catalog.store(), catalog.layout(), tools, ctx.clock(), cancel,
                how.progressEvery());
        BackupRequest req = how.request(source, null, BackupRequest.SCHEDULED, slot);
        BackupService.Preflight pre = cancel.await(Preflights.start(() -> BackupService.preflight(req, tools)),
                "while checking the source database");
        Manifest m = service.backup(req, pre, lock);
        out.println(catalog.layout().manifestKey(m.stem()));
        out.flush();
        return m;
    }

    void pruneAfterBackup() {
        if (prune != null) {
            PruneCommand.run(catalog, prune, false, pruneLock, ctx, out);
        }
    }
}
