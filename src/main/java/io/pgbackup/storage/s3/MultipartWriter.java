package io.pgbackup.storage.s3;

import io.pgbackup.storage.Put;
import io.pgbackup.storage.Retention;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import io.pgbackup.Tasks;

import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads one stream of unknown length. Small streams (shorter than one part) become a single
 * conditional PutObject; longer ones a multipart upload whose CompleteMultipartUpload carries
 * {@code If-None-Match: *}. We drive the parts ourselves rather than through the SDK's multipart
 * client because we need what it does not promise for unknown-length streams: equal-size parts
 * (R2), the conditional complete, each part retried from its buffer, and an explicit abort on any
 * failure, interruption included, so no orphan upload keeps billing storage.
 *
 * <p>With checksums on, each part's CRC32 is computed here and sent both with the part and in
 * the complete request: stores that do not echo part checksums (S3Mock) still get a complete
 * request that lists them, as AWS requires for an upload created with a checksum algorithm.
 */
final class MultipartWriter {
    private static final Logger log = LoggerFactory.getLogger(MultipartWriter.class);
    private final S3ObjectStore store;
    private final S3Settings settings;
    private final String key;
    private final Retention retention;
    private final long expected;

    /**
     * {@code how}: the Object Lock of the new version (null: none), sent with the request that
     * writes it, and the size the object is expected to reach at most, which sizes its parts.
     */
    MultipartWriter(S3ObjectStore store, S3Settings settings, String key, Put how) {
        this.store = store;
        this.settings = settings;
        this.key = key;
        this.retention = how.retention();
        this.expected = how.expectedBytes();
    }

    /** Leases, markers and manifests are small: they must not each cost a whole part buffer. */
    private static final int SMALL = 64 * 1024;

    ObjectInfo write(InputStream data) throws IOException {
        byte[] head = new byte[SMALL];
        int n = data.readNBytes(head, 0, head.length);
        checkInterrupted();
        if (n < head.length) {
            UploadBuffers.MemorySlot small = new UploadBuffers.MemorySlot(head);
            small.fill(head, n, InputStream.nullInputStream());
            return putSmall(small);
        }
        long partSize = settings.parts().sizeFor(expected);
        // The first buffer decides between one PutObject and a multipart upload; the others are
        // reserved only when the object turns out to need them.
        try (UploadBuffers.Reservation first = store.buffers().reserve(key, partSize, 1, true);
                UploadBuffers.Slot slot = first.slot()) {
            slot.fill(head, n, data);
            checkInterrupted();
            if (slot.length() < partSize) {
                return putSmall(slot);
            }
            return multipart(data, first, slot);
        }
    }

    private ObjectInfo putSmall(UploadBuffers.Slot slot) throws IOException {
        int n = slot.length();
        // A single PUT can now be as big as a part (up to 2047 MiB): it gets a part's attempt timeout.
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(settings.where().name()).key(key)
                .contentLength((long) n).contentType(contentType(key))
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(settings.partAttemptTimeout(n)));
        if (settings.where().conditionalWrites()) {
            put.ifNoneMatch("*");
        }
        if (retention != null) {
            // S3 wants an integrity checksum with lock headers (Content-MD5 or a flexible checksum).
            put.objectLockMode(ObjectLockMode.fromValue(retention.mode().name()))
                    .objectLockRetainUntilDate(retention.until()).checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        PutObjectRequest req = put.build();
        int[] attempts = {0};
        try {
            var r = store.call("put", key, () -> {
                attempts[0]++;
                return store.client().putObject(req, slot.body(contentType(key)));
            });
            return new ObjectInfo(key, n, Instant.now(), r.eTag());
        } catch (S3Failures.Failure f) {
            if (f.getCause() instanceof S3Exception e && S3Failures.isPreconditionFailed(e)) {
                // A retry can meet our own first attempt whose answer was lost: the same bytes are
                // ours (every object pgbackup writes under a new key is unique to its run).
                if (attempts[0] > 1 && sameBytes(slot)) {
                    return new ObjectInfo(key, n, Instant.now());
                }
                throw new ObjectExistsException(key);
            }
            throw f;
        }
    }

    /** Compared chunk by chunk: the slot may be a part staged on disk because the heap had no room for it. */
    private boolean sameBytes(UploadBuffers.Slot slot) {
        try (InputStream stored = store.get(key); InputStream ours = slotStream(slot)) {
            byte[] a = new byte[64 * 1024];
            byte[] b = new byte[a.length];
            while (true) {
                int n = ours.readNBytes(b, 0, b.length);
                int m = stored.readNBytes(a, 0, n == 0 ? 1 : n);
                if (n == 0) {
                    return m == 0; // the stored object must end where ours does
                }
                if (m != n || !Arrays.equals(a, 0, n, b, 0, n)) {
                    return false;
                }
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static InputStream slotStream(UploadBuffers.Slot slot) {
        return slot.body("application/octet-stream").contentStreamProvider().newStream();
    }

    private ObjectInfo multipart(InputStream data, UploadBuffers.Reservation firstBuffer, UploadBuffers.Slot first)
            throws IOException {
        // Lock headers need an integrity checksum on every part (AWS: Content-MD5 or a flexible checksum).
        boolean checksums = !settings.where().checksumsWhenRequired() || retention != null;
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.where().name()).key(key).contentType(contentType(key));
        if (retention != null) {
            create.objectLockMode(ObjectLockMode.fromValue(retention.mode().name()))
                    .objectLockRetainUntilDate(retention.until());
        }
        if (checksums) {
            create.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        String uploadId;
        try {
            uploadId = store.call("create upload", key, () -> store.client().createMultipartUpload(create.build()))
                    .uploadId();
        } catch (IOException | RuntimeException e) {
            // Stopped (or failed) while the create was in flight: the store may have made an
            // upload whose id we never saw. The key is this run's alone, so any upload of it is ours.
            abortAnyOf(key);
            throw e;
        }
        long partSize = firstBuffer.partSize;
        int maxParts = settings.parts().maxParts();
        // 0: one buffer; the part uploads while the producer waits for the buffer to come back.
        int concurrency = Math.max(0, settings.parts().concurrency());
        UploadBuffers.Reservation more = null;
        if (concurrency > 0) {
            try {
                // Where the first went: parts in flight are worth less than keeping them off the disk.
                more = store.buffers().reserve(key, partSize, concurrency, firstBuffer.onDisk());
            } catch (IOException e) {
                log.info("{}: no room for {} more part buffer(s), one at a time instead", key, concurrency);
                concurrency = 0;
            }
        }
        // Buffers are recycled through this queue: at most concurrency + 1 exist at once.
        BlockingQueue<UploadBuffers.Slot> free = new ArrayBlockingQueue<>(concurrency + 1);
        List<UploadBuffers.Slot> slots = new ArrayList<>(List.of(first));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
            Thread t = new Thread(r, "s3-part-" + key);
            t.setDaemon(true);
            return t;
        });
        List<Future<CompletedPart>> parts = new ArrayList<>();
        long total = 0;
        try {
            for (int i = 0; i < concurrency; i++) {
                UploadBuffers.Slot s = more.slot();
                slots.add(s);
                free.add(s);
            }
            UploadBuffers.Slot cur = first;
            int partNumber = 1;
            while (cur.length() > 0) {
                // The last part the store takes is sent only once it is known to be the last: a
                // byte more and the upload is lost anyway.
                if (partNumber > maxParts || partNumber == maxParts && cur.length() == partSize && data.read() >= 0) {
                    // Certain now, not after the rest of the stream: the store could not take it.
                    throw new IOException("the upload of " + key + " outgrew its parts: S3_MAX_PARTS " + maxParts
                            + " x " + (partSize >> 20) + " MiB = " + gib(maxParts * partSize) + " GiB, and there is more"
                            + (expected > 0 ? " (it was expected to stay under " + gib(expected) + " GiB)" : "")
                            + (2 * partSize <= S3Settings.MAX_PART_SIZE
                                    ? ": set S3_PART_SIZE to " + (2 * partSize >> 20) + "MiB or more"
                                            + (maxParts < S3Settings.Parts.S3_MAX_PARTS
                                                    ? ", or S3_MAX_PARTS higher if the store allows" : "")
                                    : ": set S3_MAX_PARTS higher if the store allows (S3_PART_SIZE goes up to 512MiB, "
                                            + "and parts grow past it only with the expected size)"));
                }
                total += cur.length();
                parts.add(pool.submit(uploadPart(uploadId, partNumber++, cur, free, checksums)));
                cur = take(free, parts);
                cur.fill(new byte[0], 0, data);
                checkInterrupted();
            }
            free.offer(cur);
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(await(f));
            }
            done.sort(Comparator.comparingInt(CompletedPart::partNumber));
            complete(uploadId, done, total);
            return new ObjectInfo(key, total, Instant.now());
        } catch (IOException | RuntimeException | Error e) {
            parts.forEach(f -> f.cancel(true));
            abort(uploadId);
            throw e;
        } finally {
            pool.shutdownNow();
            for (UploadBuffers.Slot s : slots) {
                if (s != first) {
                    s.close();
                }
            }
            if (more != null) {
                more.close();
            }
        }
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (double) (1L << 30));
    }

    private void complete(String uploadId, List<CompletedPart> done, long total) throws IOException {
        CompleteMultipartUploadRequest.Builder complete = CompleteMultipartUploadRequest.builder()
                .bucket(settings.where().name()).key(key).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(done).build());
        if (settings.where().conditionalWrites()) {
            complete.ifNoneMatch("*");
        }
        CompleteMultipartUploadRequest req = complete.build();
        int[] attempts = {0};
        try {
            store.call("complete upload", key, () -> {
                attempts[0]++;
                return store.client().completeMultipartUpload(req);
            });
        } catch (S3Failures.Failure f) {
            boolean precondition = f.getCause() instanceof S3Exception e && S3Failures.isPreconditionFailed(e);
            boolean uploadGone = f.status() == 404 || "NoSuchUpload".equals(f.code());
            // After a lost answer the retry finds our own upload completed: the stem is ours alone
            // (StemClaim), so an object of exactly our size under the key is what we wrote.
            if (attempts[0] > 1 && (precondition || uploadGone)) {
                var now = store.stat(key);
                if (now.isPresent() && now.get().size() == total) {
                    return;
                }
            }
            if (precondition) {
                throw new ObjectExistsException(key);
            }
            throw f;
        }
    }

    private Callable<CompletedPart> uploadPart(String uploadId, int number, UploadBuffers.Slot slot,
            BlockingQueue<UploadBuffers.Slot> free, boolean checksums) {
        return () -> {
            try {
                int len = slot.length();
                UploadPartRequest.Builder req = UploadPartRequest.builder().bucket(settings.where().name()).key(key)
                        .uploadId(uploadId).partNumber(number).contentLength((long) len)
                        .overrideConfiguration(o -> o.apiCallAttemptTimeout(settings.partAttemptTimeout(len)));
                String crc = null;
                if (checksums) {
                    // The value, not just the algorithm: the SDK then sends it as is (no second pass
                    // over the part), and stores that do not echo it (S3Mock) still get it verified.
                    crc = slot.crc32();
                    req.checksumCRC32(crc);
                }
                UploadPartRequest built = req.build();
                UploadPartResponse r;
                try {
                    r = store.call("upload of part " + number + " of", key,
                            () -> store.client().uploadPart(built, slot.body(contentType(key))));
                } catch (S3Failures.Failure f) {
                    // Past a store's limit S3 answers InvalidArgument (a generic code: on part 1 it means something else)
                    if (number > 1 && f.status() == 400
                            && ("InvalidArgument".equals(f.code()) || "InvalidPartNumber".equals(f.code()))) {
                        throw new IOException(f.getMessage() + " (the store takes fewer parts per upload than S3_MAX_PARTS "
                                + settings.parts().maxParts() + ": set S3_MAX_PARTS to " + (number - 1) + " or less)", f);
                    }
                    throw f;
                }
                CompletedPart.Builder part = CompletedPart.builder().partNumber(number).eTag(r.eTag());
                if (checksums) {
                    part.checksumCRC32(r.checksumCRC32() != null ? r.checksumCRC32() : crc);
                }
                return part.build();
            } finally {
                free.offer(slot);
            }
        };
    }

    /** Base64 of the big-endian CRC32, the form of {@code x-amz-checksum-crc32}. */
    static String crc32(byte[] buf, int len) {
        CRC32 crc = new CRC32();
        crc.update(buf, 0, len);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** By suffix: a bucket served over http shows the status page and the manifests as what they are. */
    static String contentType(String key) {
        if (key.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (key.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }

    /** The next free buffer; a part that failed meanwhile surfaces here instead of after the whole stream. */
    private static UploadBuffers.Slot take(BlockingQueue<UploadBuffers.Slot> free, List<Future<CompletedPart>> parts)
            throws IOException {
        try {
            while (true) {
                reapFailures(parts);
                UploadBuffers.Slot b = free.poll(100, TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        }
    }

    private static void reapFailures(List<Future<CompletedPart>> parts) throws IOException {
        for (Future<CompletedPart> f : parts) {
            if (f.isDone()) {
                await(f);
            }
        }
    }

    private static CompletedPart await(Future<CompletedPart> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        } catch (ExecutionException e) {
            throw Tasks.failure(e, IOException.class, c -> new IOException("part upload failed: " + c, c));
        }
    }

    private static void checkInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("upload interrupted");
        }
    }

    private void abortAnyOf(String k) {
        try {
            for (var u : store.cleanup("list uploads", k, () -> store.client().listMultipartUploads(b -> b
                    .bucket(settings.where().name()).prefix(k)).uploads())) {
                if (u.key().equals(k)) {
                    abort(u.uploadId());
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not check for an upload of {} left by an interrupted create (a later run will): {}", k,
                    e.getMessage());
        }
    }

    private void abort(String uploadId) {
        // The abort must go out even when we are being interrupted: cleanup runs on its own thread.
        try {
            store.cleanup("abort upload", key, () -> store.client().abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(settings.where().name()).key(key).uploadId(uploadId).build()));
            log.debug("aborted multipart upload of {}", key);
        } catch (IOException | RuntimeException e) {
            log.warn("could not abort multipart upload {} of {} (a later run will): {}", uploadId, key, e.getMessage());
        }
    }
}
