package io.pgbackup.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Part buffers from the heap's budget, then the disk's, never beyond either, and nothing left on disk. */
class UploadBuffersTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void theHeapFirstThenTheDiskThenARefusalNamingBoth() throws IOException {
        AtomicLong heap = new AtomicLong(10 * MIB);
        AtomicLong disk = new AtomicLong(12 * MIB);
        UploadBuffers b = new UploadBuffers(S3Settings.Staging.AUTO, heap, dir, disk);
        try (UploadBuffers.Reservation inHeap = b.reserve("a", 8 * MIB, 1, true);
                UploadBuffers.Reservation onDisk = b.reserve("b", 8 * MIB, 1, true)) {
            assertThat(inHeap.onDisk()).isFalse();
            assertThat(onDisk.onDisk()).isTrue();
            assertThat(heap.get()).isEqualTo(2 * MIB);
            assertThat(disk.get()).isEqualTo(4 * MIB);
            assertThatThrownBy(() -> b.reserve("c", 8 * MIB, 1, true)).isInstanceOf(IOException.class)
                    .hasMessageContaining("the upload of c needs 8 MiB").hasMessageContaining("-Xmx")
                    .hasMessageContaining(dir.toString());
            assertThatThrownBy(() -> b.reserve("d", 4 * MIB, 1, false)).as("heap only: no disk for parts in flight")
                    .isInstanceOf(IOException.class);
        }
        assertThat(heap.get()).as("closing gives the room back").isEqualTo(10 * MIB);
        assertThat(disk.get()).isEqualTo(12 * MIB);
    }

    @Test
    void memoryStagingNeverTouchesTheDisk() {
        UploadBuffers b = new UploadBuffers(S3Settings.Staging.MEMORY, new AtomicLong(MIB), null, new AtomicLong(0));
        assertThatThrownBy(() -> b.reserve("a", 8 * MIB, 1, true)).isInstanceOf(IOException.class)
                .hasMessageContaining("staging off");
    }

    @Test
    void aPartStagedOnDiskIsReadBackWholeOnEveryRetryAndDeletedAfter() throws IOException {
        UploadBuffers b = new UploadBuffers(S3Settings.Staging.DISK, new AtomicLong(0), dir, new AtomicLong(64 * MIB));
        byte[] data = new byte[(int) (5 * MIB + 123)];
        new Random(7).nextBytes(data);
        try (UploadBuffers.Reservation r = b.reserve("k", 5 * MIB, 1, true)) {
            assertThat(r.onDisk()).isTrue();
            InputStream in = new ByteArrayInputStream(data, 16, data.length - 16);
            try (UploadBuffers.Slot slot = r.slot()) {
                assertThat(slot.fill(data, 16, in)).isEqualTo((int) (5 * MIB));
                byte[] first = slot.body("x").contentStreamProvider().newStream().readAllBytes();
                byte[] again = slot.body("x").contentStreamProvider().newStream().readAllBytes();
                assertThat(first).hasSize((int) (5 * MIB)).isEqualTo(again)
                        .isEqualTo(java.util.Arrays.copyOf(data, (int) (5 * MIB)));
                assertThat(slot.crc32()).isEqualTo(MultipartWriter.crc32(data, (int) (5 * MIB)));
                // the rest of the stream: the last, short part reuses the file
                assertThat(slot.fill(new byte[0], 0, in)).isEqualTo(123);
                assertThat(slot.body("x").contentStreamProvider().newStream().readAllBytes())
                        .isEqualTo(java.util.Arrays.copyOfRange(data, (int) (5 * MIB), data.length));
                try (Stream<Path> files = Files.list(dir)) {
                    assertThat(files.toList()).singleElement().satisfies(f -> {
                        assertThat(Files.size(f)).isEqualTo(123);
                        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
                    });
                }
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).as("nothing outlives the upload").isEmpty();
        }
    }
}
