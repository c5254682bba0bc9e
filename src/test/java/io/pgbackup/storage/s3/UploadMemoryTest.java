package io.pgbackup.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import org.junit.jupiter.api.Test;

/** The heap check that runs before a backup: the uploads' part buffers must fit (the one formula, in S3Settings). */
class UploadMemoryTest {
    private static final long MIB = 1024 * 1024;

    /** Buffers in the heap only (S3_PART_STAGING=memory): what does not fit is exit 2. */
    private static S3Settings s3(int partMiB, int concurrency) {
        return S3Settings.of(new S3Settings.Bucket("b", null, "us-east-1", false, false, null, true), S3Settings.Keys.CHAIN)
                .with(new S3Settings.Parts((int) (partMiB * MIB), concurrency, S3Settings.Parts.S3_MAX_PARTS,
                        S3Settings.Staging.MEMORY));
    }

    @Test
    void withDiskStagingBuffersBeyondTheHeapAreNotRefusedUpFront() {
        S3Settings auto = s3(8, 2).with(new S3Settings.Parts((int) (8 * MIB), 2));
        assertThat(auto.parts().staging()).isEqualTo(S3Settings.Staging.AUTO);
        assertThat(auto.forUploads(2, 62 * MIB, false)).as("the backup's own check weighs the disk").isSameAs(auto);
        assertThat(auto.forUploads(2, 62 * MIB, true).parts().concurrency()).as("fewer in flight first").isZero();
    }

    @Test
    void theImageDefaultsFitTheImageHeap() {
        // -Xmx64m with SerialGC reports ~61.9 MiB; 2 x (1 + 1) x 8 MiB + 24 MiB = 56 MiB
        S3Settings r = s3(8, 1);
        assertThat(r.forUploads(2, 61 * MIB + 900 * 1024, false)).isSameAs(r);
        assertThat(r.forUploads(2, 56 * MIB, false)).isSameAs(r);
    }

    @Test
    void buffersBeyondTheHeapAreAConfigErrorNamingTheKnobs() {
        assertThatThrownBy(() -> s3(8, 2).forUploads(2, 62 * MIB, false))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("72 MiB").contains("S3_PART_SIZE").contains("S3_PART_CONCURRENCY")
                            .contains("-Xmx").contains("62 MiB").doesNotContain("--parallel-databases");
                });
        assertThatThrownBy(() -> s3(8, 1).forUploads(2, 56 * MIB - 1, false)).isInstanceOf(PgBackupException.class);
    }

    @Test
    void serverBackupsCountEveryUploadAndFallBackToOneBufferEach() {
        // two databases at once: 4 uploads x (1 + 1) x 8 MiB + 24 MiB = 88 MiB; one buffer each: 56 MiB
        S3Settings r = s3(8, 1);
        S3Settings lowered = r.forUploads(4, 62 * MIB, true);
        assertThat(lowered).isNotSameAs(r);
        assertThat(lowered.parts().concurrency()).isZero();
        assertThatThrownBy(() -> r.forUploads(4, 62 * MIB, false)).isInstanceOfSatisfying(PgBackupException.class,
                e -> assertThat(e.getMessage()).contains("88 MiB").contains("4 objects").contains("--parallel-databases"));
        assertThatThrownBy(() -> r.forUploads(8, 62 * MIB, true)).as("even one buffer each is too much")
                .isInstanceOf(PgBackupException.class);
        assertThat(r.forUploads(2, 62 * MIB, true)).isSameAs(r);
        // what a server backup of three databases at once asks of the heap: 6 x 8 MiB + headroom does not fit 62 MiB
        assertThatThrownBy(() -> r.forUploads(6, 62 * MIB, true)).isInstanceOf(PgBackupException.class);
    }
}
