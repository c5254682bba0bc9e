package io.pgbackup.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.storage.s3.S3Settings.Parts;
import io.pgbackup.storage.s3.S3Settings.Staging;
import io.pgbackup.storage.s3.S3Settings.Upload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Part sizes chosen per object from its expected size, and the heap/disk check a backup runs before its first byte. */
class PartSizingTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static Parts parts(int maxParts, Staging staging) {
        return new Parts((int) (8 * MIB), 1, maxParts, staging);
    }

    @Test
    void smallOrUnknownObjectsKeepTheConfiguredPartSize() {
        Parts p = parts(10_000, Staging.AUTO);
        assertThat(p.sizeFor(0)).isEqualTo(8 * MIB);
        assertThat(p.sizeFor(10 * GIB)).isEqualTo(8 * MIB);
        assertThat(p.sizeFor(39 * GIB)).as("twice 39 GiB fits 10,000 x 8 MiB").isEqualTo(8 * MIB);
    }

    @Test
    void bigObjectsGetPartsThatHoldTwiceTheirExpectedSize() {
        Parts p = parts(10_000, Staging.AUTO);
        for (long expected : new long[] {80 * GIB, 500L * 1000 * 1000 * 1000, 3L << 40}) {
            long size = p.sizeFor(expected);
            assertThat(size % MIB).as("MiB-aligned").isZero();
            assertThat(size * 10_000).as("twice %d fits the part limit", expected).isGreaterThanOrEqualTo(2 * expected);
            assertThat(size * 10_000).as("but not wastefully").isLessThan(2 * expected + 10_000 * MIB);
        }
        // the case that failed: a plain script of ~100 GB in fixed 8 MiB parts needed part 11,921
        assertThat(p.sizeFor(100L * 1000 * 1000 * 1000)).isEqualTo(20 * MIB);
    }

    @Test
    void aStoreWithFewerPartsGetsBiggerParts() {
        Parts scaleway = parts(1_000, Staging.AUTO);
        assertThat(scaleway.sizeFor(100L * 1000 * 1000 * 1000)).isEqualTo(191 * MIB);
        Parts tiny = parts(2, Staging.AUTO);
        assertThat(tiny.sizeFor(30 * MIB)).isEqualTo(30 * MIB);
    }

    @Test
    void partsStopAtTheLargestBufferWeMake() {
        assertThat(parts(10, Staging.AUTO).sizeFor(1L << 40)).isEqualTo(S3Settings.MAX_BUFFERED_PART);
    }

    @Test
    void anObjectTooBigForTheStoresPartsEvenAtTheLargestPartIsRefusedBeforeItStarts() {
        // Scaleway's 1,000 parts of at most 2047 MiB hold ~2 TiB: a 3 TiB database cannot fit
        assertThatThrownBy(() -> S3Settings.checkUploads(List.of(new Upload(parts(1_000, Staging.AUTO), 3L << 40)),
                1024 * MIB, 100 * GIB))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("expected to reach 3.0 TiB, more than S3_MAX_PARTS 1000 parts of at most 2047 MiB")
                .hasMessageContaining("raise S3_MAX_PARTS");
        // within the cap but without the 2x margin: accepted (the early failure guards the rest)
        assertThat(S3Settings.checkUploads(List.of(new Upload(parts(1_000, Staging.AUTO), 1536L << 30)), 8 * GIB,
                100 * GIB)).contains("parts of up to 2047 MiB");
    }

    @Test
    void uploadsThatFitTheHeapStayThere() {
        // a one-database backup of 2 GB with the image's defaults (-Xmx64m: ~62 MiB)
        String how = S3Settings.checkUploads(List.of(new Upload(parts(10_000, Staging.AUTO), 2 * GIB),
                new Upload(parts(10_000, Staging.AUTO), 2 * GIB)), 62 * MIB, 0);
        assertThat(how).contains("2 upload(s) at once").contains("parts of up to 8 MiB").contains("32 MiB of buffers in the heap");
    }

    @Test
    void bigPartsThatDoNotFitTheHeapAreStagedOnDiskAndTheDiskUseIsStated() {
        // 500 GB: 96 MiB parts, two uploads with one part in flight each = 384 MiB of buffers
        List<Upload> u = List.of(new Upload(parts(10_000, Staging.AUTO), 500L * 1000 * 1000 * 1000),
                new Upload(parts(10_000, Staging.AUTO), 500L * 1000 * 1000 * 1000));
        String how = S3Settings.checkUploads(u, 62 * MIB, 10 * GIB);
        assertThat(how).contains("parts of up to 96 MiB").contains("staged on disk").contains("384 MiB in TMPDIR");
    }

    @Test
    void aBackupThatFitsNeitherSaysWhichMachineItNeeds() {
        List<Upload> u = List.of(new Upload(parts(10_000, Staging.AUTO), 500L * 1000 * 1000 * 1000),
                new Upload(parts(10_000, Staging.AUTO), 500L * 1000 * 1000 * 1000));
        assertThatThrownBy(() -> S3Settings.checkUploads(u, 62 * MIB, 100 * MIB))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    // 2 x 96 MiB + 24 MiB of headroom; + 192 MiB beside the heap, rounded to 256 MB
                    assertThat(e.getMessage()).contains("need 216 MiB of heap").contains("has 62 MiB")
                            .contains("-Xmx216m").contains("machine of at least 512 MB")
                            .contains("free 384 MiB of disk in TMPDIR").contains("100 MiB free");
                });
    }

    @Test
    void memoryOnlyStagingNeverUsesTheDiskAndSaysSo() {
        List<Upload> u = List.of(new Upload(parts(10_000, Staging.MEMORY), 500L * 1000 * 1000 * 1000));
        assertThatThrownBy(() -> S3Settings.checkUploads(u, 62 * MIB, 100 * GIB))
                .isInstanceOfSatisfying(PgBackupException.class,
                        e -> assertThat(e.getMessage()).contains("S3_PART_STAGING=auto").doesNotContain("TMPDIR"));
    }

    @Test
    void diskOnlyStagingUsesTheDiskEvenWithRoomInTheHeap() {
        String how = S3Settings.checkUploads(List.of(new Upload(parts(10_000, Staging.DISK), GIB)), 8 * GIB, 10 * GIB);
        assertThat(how).contains("staged on disk").contains("16 MiB in TMPDIR");
    }

    @Test
    void theHeapTakesOneBufferEachWhenItIsShortOfTwo() {
        // 2 x 8 MiB + 24 = 40 fits 48 MiB; 2 x 16 MiB + 24 = 56 does not: fewer parts in flight, no disk
        String how = S3Settings.checkUploads(List.of(new Upload(parts(10_000, Staging.AUTO), GIB),
                new Upload(parts(10_000, Staging.AUTO), GIB)), 48 * MIB, 0);
        assertThat(how).contains("16 to 32 MiB of buffers in the heap");
    }
}
