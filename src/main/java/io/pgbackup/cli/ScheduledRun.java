package io.pgbackup.cli;

import io.pgbackup.backup.BackupRequest;
import io.pgbackup.backup.BackupService;
import io.pgbackup.backup.Cancellation;
import io.pgbackup.backup.Catalog;
import io.pgbackup.backup.LockPolicy;
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

    Manifest backup(Instant slot, Cancellation cancel) {
        BackupService service = new BackupService(catalog.store(), catalog.layout(), new PgTools(ctx.env()),
                ctx.clock(), cancel, how.progressEvery());
        Manifest m = service.backup(how.request(source, null, BackupRequest.SCHEDULED, slot));
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
