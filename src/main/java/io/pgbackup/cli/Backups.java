package io.pgbackup.cli;

import io.pgbackup.Cancellation;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.backup.take.BackupService;
import io.pgbackup.backup.take.ServerBackupService;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.storage.ObjectStore;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** One backup, of one database or of the server (PG_DATABASES), for backup, tick and schedule. */
final class Backups {
    private Backups() {}

    /** The checks before anything is written, started on another core while the store and lock are set up. */
    static CompletableFuture<Object> preflight(BackupOptions.Resolved how, BackupRequest req, PgTools tools) {
        return how.server()
                ? Preflights.start(() -> (Object) ServerBackupService.preflight(how.serverRequest(req), tools))
                : Preflights.start(() -> (Object) BackupService.preflight(req, tools));
    }

    /** Takes the backup under {@code held} once {@code preflight} passed. */
    static Manifest take(BackupOptions.Resolved how, BackupRequest req, CompletableFuture<Object> preflight,
            ObjectStore objects, KeyLayout layout, PgTools tools, Clock clock, Cancellation cancel, PrefixLock held) {
        // A database that accepts TCP and never answers must not keep us (and the lock) forever.
        Object pre = cancel.await(preflight, "while checking the source database");
        if (how.server()) {
            return new ServerBackupService(objects, layout, tools, clock, cancel, how.progressEvery())
                    .backup(how.serverRequest(req), (ServerBackupService.Preflight) pre, held);
        }
        return new BackupService(objects, layout, tools, clock, cancel, how.progressEvery())
                .backup(req, (BackupService.Preflight) pre, held);
    }

    /** The database label of notifications and metrics: PG_URI's, or the selection of a server backup. */
    static String label(BackupOptions.Resolved how, io.pgbackup.pg.ConnectionString source) {
        if (!how.server()) {
            return source.database();
        }
        return how.databases().all() ? "all" : String.join(",", how.databases().include());
    }
}
