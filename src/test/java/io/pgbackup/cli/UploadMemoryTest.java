package io.pgbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.s3.S3Settings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The heap check that runs before a backup: two uploads' part buffers must fit. */
class UploadMemoryTest {
    private static final long MIB = 1024 * 1024;

    private static StoreOptions.Resolved s3(int partMiB, int concurrency) {
        S3Settings s = new S3Settings("b", null, "us-east-1", false, null, null, false, (int) (partMiB * MIB), concurrency);
        return new StoreOptions.Resolved(s, null, new KeyLayout(""), io.pgbackup.repo.StoreProbe.Mode.SKIP);
    }

    @Test
    void theImageDefaultsFitTheImageHeap() {
        // -Xmx64m with SerialGC reports ~61.9 MiB; 2 x (1 + 1) x 8 MiB + 24 MiB = 56 MiB
        StoreOptions.Resolved r = s3(8, 1);
        assertThat(r.requireUploadMemory(61 * MIB + 900 * 1024)).isSameAs(r);
        assertThat(r.requireUploadMemory(56 * MIB)).isSameAs(r);
    }

    @Test
    void buffersBeyondTheHeapAreAConfigErrorNamingTheKnobs() {
        assertThatThrownBy(() -> s3(8, 2).requireUploadMemory(62 * MIB))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("72 MiB").contains("S3_PART_SIZE").contains("S3_PART_CONCURRENCY")
                            .contains("-Xmx").contains("62 MiB");
                });
        assertThatThrownBy(() -> s3(8, 1).requireUploadMemory(56 * MIB - 1)).isInstanceOf(PgBackupException.class);
    }

    @Test
    void aLocalDirectoryStoreHasNoUploadBuffers() {
        StoreOptions.Resolved dir = new StoreOptions.Resolved(null, Path.of("/tmp/x"), new KeyLayout(""), io.pgbackup.repo.StoreProbe.Mode.SKIP);
        assertThat(dir.requireUploadMemory(1)).isSameAs(dir);
    }

    @Test
    void serverBackupsCountEveryUploadAndFallBackToOneBufferEach() {
        // two databases at once: 4 uploads x (1 + 1) x 8 MiB + 24 MiB = 88 MiB; one buffer each: 56 MiB
        StoreOptions.Resolved r = s3(8, 1);
        StoreOptions.Resolved lowered = r.requireUploadMemory(4, 62 * MIB, true);
        assertThat(lowered).isNotSameAs(r);
        assertThat(lowered.s3().partConcurrency()).isZero();
        assertThatThrownBy(() -> r.requireUploadMemory(4, 62 * MIB, false)).isInstanceOfSatisfying(PgBackupException.class,
                e -> assertThat(e.getMessage()).contains("88 MiB").contains("4 objects").contains("--parallel-databases"));
        assertThatThrownBy(() -> r.requireUploadMemory(8, 62 * MIB, true)).as("even one buffer each is too much")
                .isInstanceOf(PgBackupException.class);
        assertThat(r.requireUploadMemory(2, 62 * MIB, true)).isSameAs(r);
    }

    @Test
    void aServerBackupCountsTwoUploadsPerDatabaseDumpedAtOnce() {
        BackupOptions.Resolved one = new BackupOptions.Resolved(null, null, null, null, null, null, 1);
        assertThat(one.uploadsInFlight()).as("one database: the archive and the script").isEqualTo(2);
        var all = new io.pgbackup.backup.take.ServerBackupService.Selection(null, java.util.List.of());
        assertThat(new BackupOptions.Resolved(null, null, null, null, null, all, 1).uploadsInFlight()).isEqualTo(2);
        assertThat(new BackupOptions.Resolved(null, null, null, null, null, all, 3).uploadsInFlight()).isEqualTo(6);
        // what the backup command then asks of the heap: 6 x 8 MiB + headroom does not fit 62 MiB at all
        assertThatThrownBy(() -> s3(8, 1).requireUploadMemory(new BackupOptions.Resolved(null, null, null, null, null, all, 3)
                .uploadsInFlight(), 62 * MIB, true)).isInstanceOf(PgBackupException.class);
    }
}
