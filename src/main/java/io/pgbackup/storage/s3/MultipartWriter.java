package io.pgbackup.storage.s3;

import io.pgbackup.storage.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads one stream of unknown length. Small streams (shorter than one part) become a single
 * conditional PutObject; longer ones a multipart upload whose CompleteMultipartUpload carries
 * {@code If-None-Match: *}. We drive the parts ourselves rather than through the SDK's multipart
 * client because we need three things it does not promise for unknown-length streams: equal-size
 * parts (R2), the conditional complete, and an explicit abort on any failure, interruption
 * included, so no orphan upload keeps billing storage.
 */
final class MultipartWriter {
    private static final Logger log = LoggerFactory.getLogger(MultipartWriter.class);
    private final S3Client s3;
    private final S3Settings settings;
    private final String key;

    MultipartWriter(S3Client s3, S3Settings settings, String key) {
        this.s3 = s3;
        this.settings = settings;
        this.key = key;
    }

    ObjectInfo write(InputStream data) throws IOException {
        int partSize = settings.partSize();
        byte[] first = new byte[partSize];
        int n = data.readNBytes(first, 0, partSize);
        checkInterrupted();
        if (n < partSize) {
            PutObjectRequest.Builder req = PutObjectRequest.builder()
                    .bucket(settings.bucket()).key(key).ifNoneMatch("*").contentLength((long) n);
            s3.putObject(req.build(), body(first, n));
            return new ObjectInfo(key, n, Instant.now());
        }
        return multipart(data, first);
    }

    private ObjectInfo multipart(InputStream data, byte[] first) throws IOException {
        boolean checksums = !settings.checksumsWhenRequired();
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.bucket()).key(key);
        if (checksums) {
            create.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
        String uploadId = s3.createMultipartUpload(create.build()).uploadId();
        int concurrency = Math.max(1, settings.partConcurrency());
        // Buffers are recycled through this queue: at most concurrency + 1 exist at once.
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(concurrency + 1);
        for (int i = 0; i < concurrency; i++) {
            free.add(new byte[settings.partSize()]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "s3-part-" + key);
            t.setDaemon(true);
            return t;
        });
        List<Future<CompletedPart>> parts = new ArrayList<>();
        long total = 0;
        try {
            byte[] buf = first;
            int n = first.length;
            int partNumber = 1;
            while (n > 0) {
                total += n;
                parts.add(pool.submit(uploadPart(uploadId, partNumber++, buf, n, free, checksums)));
                reapFailures(parts);
                buf = take(free);
                n = data.readNBytes(buf, 0, buf.length);
                checkInterrupted();
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(await(f));
            }
            done.sort(Comparator.comparingInt(CompletedPart::partNumber));
            s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                    .bucket(settings.bucket()).key(key).uploadId(uploadId).ifNoneMatch("*")
                    .multipartUpload(CompletedMultipartUpload.builder().parts(done).build())
                    .build());
            return new ObjectInfo(key, total, Instant.now());
        } catch (IOException | RuntimeException | Error e) {
            parts.forEach(f -> f.cancel(true));
            abort(uploadId);
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private java.util.concurrent.Callable<CompletedPart> uploadPart(
            String uploadId, int number, byte[] buf, int len, BlockingQueue<byte[]> free, boolean checksums) {
        return () -> {
            try {
                UploadPartRequest.Builder req = UploadPartRequest.builder().bucket(settings.bucket()).key(key)
                        .uploadId(uploadId).partNumber(number).contentLength((long) len);
                if (checksums) {
                    req.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                }
                UploadPartResponse r = s3.uploadPart(req.build(), body(buf, len));
                return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build();
            } finally {
                free.offer(buf);
            }
        };
    }

    private static RequestBody body(byte[] buf, int len) {
        // A content provider (not fromBytes) so the SDK neither copies the part nor loses it on retry.
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, len), len, "application/octet-stream");
    }

    private static byte[] take(BlockingQueue<byte[]> free) throws InterruptedIOException {
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        }
    }

    /** Surfaces a failed part at once instead of after the whole stream was read. */
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
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("part upload failed: " + c, c);
        }
    }

    private static void checkInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("upload interrupted");
        }
    }

    private void abort(String uploadId) {
        // The abort must go out even when we were interrupted: clear the flag, restore it after.
        boolean interrupted = Thread.interrupted();
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(settings.bucket()).key(key).uploadId(uploadId).build());
            log.debug("aborted multipart upload of {}", key);
        } catch (RuntimeException e) {
            log.warn("could not abort multipart upload {} of {}: {}", uploadId, key, e.toString());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
