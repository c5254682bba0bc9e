package io.pgbackup.storage.s3;

import io.pgbackup.ScratchFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Where the parts of the store's uploads wait: each multipart upload reserves its buffers (its part
 * size times the parts in flight plus one) from the heap's budget, or, when the heap has no room and
 * staging allows it, from the local disk's ({@code TMPDIR}: one file per buffer, deleted when the
 * upload ends, swept by the next run after a kill). Nothing is ever allocated beyond a budget: an
 * upload that fits neither fails before its first part, naming what it needs.
 */
final class UploadBuffers {
    private static final Logger log = LoggerFactory.getLogger(UploadBuffers.class);
    /** The kind of the staging files in ScratchFiles' private directory. */
    static final String KIND = "s3-part";
    private final S3Settings.Staging staging;
    private final AtomicLong heapLeft;
    private final AtomicLong diskLeft;
    private final Path dir;

    UploadBuffers(S3Settings.Staging staging, AtomicLong heapLeft, Path dir, AtomicLong diskLeft) {
        this.staging = staging;
        this.heapLeft = heapLeft;
        this.dir = dir;
        this.diskLeft = diskLeft;
    }

    /** One heap and one disk per process: every store's uploads (the first store's and the copy's) share them. */
    private static AtomicLong processHeap;
    private static AtomicLong processDisk;
    private static Path processDir;

    /**
     * The budgets of this process: the heap but {@link S3Settings#HEADROOM}; the disk of TMPDIR but
     * 1 GiB, when {@code staging} allows the disk. Shared by every store of the process.
     */
    static synchronized UploadBuffers forThisProcess(S3Settings.Staging staging) {
        if (processHeap == null) {
            processHeap = new AtomicLong(Runtime.getRuntime().maxMemory() - S3Settings.HEADROOM);
            processDisk = new AtomicLong(0);
            try {
                processDir = ScratchFiles.privateDir(); // 0700: unencrypted parts are the database's data
                ScratchFiles.sweep(processDir, KIND);
                processDisk.set(Math.max(0, Files.getFileStore(processDir).getUsableSpace() - (1L << 30)));
            } catch (IOException e) {
                log.debug("no disk staging: {}", e.getMessage());
            }
        }
        boolean disk = staging != S3Settings.Staging.MEMORY && processDir != null;
        return new UploadBuffers(staging, staging == S3Settings.Staging.DISK ? new AtomicLong(0) : processHeap,
                disk ? processDir : null, disk ? processDisk : new AtomicLong(0));
    }

    /** The disk parts may be staged on (TMPDIR's free space but 1 GiB), 0 when there is none. */
    static synchronized long diskLeft() {
        forThisProcess(S3Settings.Staging.AUTO);
        return processDisk.get();
    }

    /**
     * The buffers of one upload: {@code count} slots of {@code partSize} bytes, in the heap or,
     * when it has no room and {@code mayUseDisk}, on disk.
     */
    Reservation reserve(String key, long partSize, int count, boolean mayUseDisk) throws IOException {
        long bytes = partSize * count;
        if (take(heapLeft, bytes)) {
            return new Reservation(this, bytes, false, partSize, count, key);
        }
        if (mayUseDisk && dir != null && take(diskLeft, bytes)) {
            log.info("staging the parts of {} on disk ({} MiB in {}): the heap has no room for them", key,
                    bytes >> 20, dir);
            return new Reservation(this, bytes, true, partSize, count, key);
        }
        throw new IOException("the upload of " + key + " needs " + (bytes >> 20) + " MiB of part buffers (" + count
                + " x " + (partSize >> 20) + " MiB) and neither the heap nor " + (dir == null ? "the disk (staging off)"
                : dir) + " has that much left: raise -Xmx (JAVA_OPTS) or free disk, or lower S3_PART_CONCURRENCY");
    }

    private static boolean take(AtomicLong left, long bytes) {
        while (true) {
            long now = left.get();
            if (now < bytes) {
                return false;
            }
            if (left.compareAndSet(now, now - bytes)) {
                return true;
            }
        }
    }

    /** One upload's buffers; closing gives their room back. */
    static final class Reservation implements AutoCloseable {
        private final UploadBuffers owner;
        private final long bytes;
        private final boolean disk;
        final long partSize;
        final int count;
        private final String key;
        private boolean closed;

        Reservation(UploadBuffers owner, long bytes, boolean disk, long partSize, int count, String key) {
            this.owner = owner;
            this.bytes = bytes;
            this.disk = disk;
            this.partSize = partSize;
            this.count = count;
            this.key = key;
        }

        boolean onDisk() {
            return disk;
        }

        Slot slot() throws IOException {
            return disk ? new FileSlot(ScratchFiles.create(owner.dir, KIND, ".part"), partSize)
                    : new MemorySlot(new byte[(int) partSize]);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                (disk ? owner.diskLeft : owner.heapLeft).addAndGet(bytes);
            }
        }

        @Override
        public String toString() {
            return key + ": " + count + " x " + (partSize >> 20) + " MiB " + (disk ? "on disk" : "in the heap");
        }
    }

    /** One part buffer: filled from the stream, then read (again, on each retry) by the upload. */
    interface Slot extends AutoCloseable {
        /** Refills with {@code prefix} then the stream, up to the slot's size; returns the bytes held. */
        int fill(byte[] prefix, int prefixLength, InputStream in) throws IOException;

        int length();

        /** The body of an upload of what it holds; a retry reads it again. */
        RequestBody body(String contentType);

        /** Base64 of the big-endian CRC32 of what it holds. */
        String crc32();

        @Override
        void close();
    }

    static final class MemorySlot implements Slot {
        private final byte[] buf;
        private int length;

        MemorySlot(byte[] buf) {
            this.buf = buf;
        }

        @Override
        public int fill(byte[] prefix, int prefixLength, InputStream in) throws IOException {
            System.arraycopy(prefix, 0, buf, 0, prefixLength);
            length = prefixLength + in.readNBytes(buf, prefixLength, buf.length - prefixLength);
            return length;
        }

        @Override
        public int length() {
            return length;
        }

        byte[] bytes() {
            return buf;
        }

        @Override
        public RequestBody body(String contentType) {
            // A content provider (not fromBytes) so the SDK neither copies the part nor loses it on retry.
            return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, length), length, contentType);
        }

        @Override
        public String crc32() {
            return MultipartWriter.crc32(buf, length);
        }

        @Override
        public void close() {
            // the heap's room comes back with the reservation
        }
    }

    static final class FileSlot implements Slot {
        private final Path file;
        private final long capacity;
        private int length;
        private long crc;

        FileSlot(Path file, long capacity) {
            this.file = file;
            this.capacity = capacity;
        }

        @Override
        public int fill(byte[] prefix, int prefixLength, InputStream in) throws IOException {
            CRC32 c = new CRC32();
            long n = 0;
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                out.write(prefix, 0, prefixLength);
                c.update(prefix, 0, prefixLength);
                n = prefixLength;
                byte[] chunk = new byte[64 * 1024];
                while (n < capacity) {
                    int r = in.read(chunk, 0, (int) Math.min(chunk.length, capacity - n));
                    if (r < 0) {
                        break;
                    }
                    out.write(chunk, 0, r);
                    c.update(chunk, 0, r);
                    n += r;
                }
            }
            length = (int) n;
            crc = c.getValue();
            return length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public RequestBody body(String contentType) {
            return RequestBody.fromContentProvider(() -> {
                try {
                    return Files.newInputStream(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, length, contentType);
        }

        @Override
        public String crc32() {
            return java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc)
                    .array());
        }

        @Override
        public void close() {
            try {
                ScratchFiles.delete(file);
            } catch (IOException e) {
                log.debug("could not delete {}: {} (the next run sweeps it)", file, e.getMessage());
            }
        }
    }
}
