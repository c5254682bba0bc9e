package io.pgbackup.it;

import io.pgbackup.Cancellation;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.backup.take.BackupTransaction;
import io.pgbackup.backup.take.OneDatabase;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.Destination;
import io.pgbackup.repo.RunLock;
import io.pgbackup.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A one-database backup taken through the services (no CLI, no lock), for tests that wrap the store. */
final class TakeBackup {
    private TakeBackup() {}

    static Manifest of(BackupRequest req, ObjectStore store, KeyLayout layout, Map<String, String> env, Clock clock,
            Cancellation cancel) {
        return new BackupTransaction(List.of(new Destination(store, layout)), clock, cancel)
                .commit(OneDatabase.of(req, new PgTools(env), Duration.ofSeconds(5)), RunLock.NONE);
    }
}
