package io.pgbackup.backup.take;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.repo.Destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How BackupRun reports a worker thread dying of an Error. The "pg_dump" is a shell producing
 * bytes; the store's upload throws what the JVM would throw when the heap is too small for the
 * part buffers. Before the fix the thread died silently and the run ended, seconds later, with a
 * misleading "pg_restore was killed by signal 13".
 */
@Timeout(30)
class BackupRunFailureTest {

    /** A store whose uploads throw {@code error} after reading a little. */
    private static final class FailingStore implements ObjectStore {
        final Error error;
        final List<String> deleted = new CopyOnWriteArrayList<>();

        FailingStore(Error error) {
            this.error = error;
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws java.io.IOException {
            data.readNBytes(4096);
            throw error;
        }

        @Override
        public InputStream get(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputStream get(String key, long offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return Optional.empty();
        }

        @Override
        public ObjectInfo replace(String key, byte[] data, String expectedVersion) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<io.pgbackup.storage.PendingUpload> pendingUploads(String prefix) {
            return List.of();
        }

        @Override
        public void abort(io.pgbackup.storage.PendingUpload upload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return List.of();
        }

        @Override
        public void delete(String key) {
            deleted.add(key);
        }

        @Override
        public String describe() {
            return "failing store";
        }
    }

    private static BackupRun run(ObjectStore store) {
        // 64 MiB of zeros: far more than the pipes hold, so pg_dump is still writing when the upload dies
        BackupRun.Output dump = new BackupRun.Output("dump", List.of(), l -> l.archiveKey("2026/11/28/00-00-00", null, false),
                "custom", "gzip:1");
        BackupRun.Plan plan = new BackupRun.Plan(List.of(new BackupRun.Producer("pg_dump",
                List.of("sh", "-c", "head -c 67108864 /dev/zero"), Map.of(), List.of(new BackupRun.ToOutput(dump)), null)));
        return new BackupRun(new Fanout(List.of(new Destination(store, new KeyLayout("p")))), plan);
    }

    @Test
    void anOutOfMemoryErrorInAnUploadIsTheReportedCauseAndNamesTheKnobs() {
        FailingStore store = new FailingStore(new OutOfMemoryError("Java heap space"));
        assertThatThrownBy(() -> run(store).execute(new Cancellation()))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
                    assertThat(e.getMessage()).startsWith("out of memory in upload-dump")
                            .contains("-Xmx").contains("--part-size").doesNotContain("signal");
                });
    }

    @Test
    void anyOtherErrorInAWorkerFailsTheRunNamingTheThread() {
        FailingStore store = new FailingStore(new StackOverflowError());
        assertThatThrownBy(() -> run(store).execute(new Cancellation()))
                .isInstanceOfSatisfying(PgBackupException.class, e ->
                        assertThat(e.getMessage()).startsWith("upload-dump failed").contains("StackOverflowError"));
    }
}
