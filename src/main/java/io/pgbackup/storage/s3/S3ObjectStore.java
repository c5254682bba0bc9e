package io.pgbackup.storage.s3;

import io.pgbackup.storage.Keys;
import io.pgbackup.storage.ObjectChangedException;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.PendingUpload;
import io.pgbackup.storage.ResumingInputStream;
import io.pgbackup.storage.Put;
import io.pgbackup.storage.RetryPolicy;
import io.pgbackup.storage.Versions;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on S3 and S3-compatible stores (AWS, Tigris, R2, MinIO), synchronous SDK v2
 * client. Every request goes through one {@link RetryPolicy} (transient failures retried with
 * backoff for {@code S3_RETRY_FOR}) and is bounded by {@code S3_TIMEOUT}. Streams of unknown
 * length are uploaded by {@link MultipartWriter}; downloads resume with ranged reads.
 */
public final class S3ObjectStore implements ObjectStore {
    private final S3Client s3;
    private final S3Settings settings;
    private final RetryPolicy policy;
    private final UploadBuffers buffers;

    public S3ObjectStore(S3Settings settings) {
        this(settings, RetryPolicy.of(settings.timeouts().retryFor(), S3Failures::isTransient));
    }

    /** With an explicit retry policy (tests use one that does not sleep). */
    public S3ObjectStore(S3Settings settings, RetryPolicy policy) {
        this.settings = settings;
        this.policy = policy;
        this.s3 = S3Clients.build(settings);
        this.buffers = UploadBuffers.forThisProcess(settings.parts().staging());
    }

    public S3Client client() {
        return s3;
    }

    /** The local disk uploads may still stage parts on (TMPDIR's free space but 1 GiB). */
    public static long stagingSpace() {
        return UploadBuffers.diskLeft();
    }

    UploadBuffers buffers() {
        return buffers;
    }

    RetryPolicy policy() {
        return policy;
    }

    /**
     * One request under the retry policy: SDK failures become {@link S3Failures.Failure}s (the
     * policy retries the transient ones) and the last one is rethrown with the store's words.
     */
    <T> T call(String op, String key, Supplier<T> request) throws IOException {
        return policy.call("S3 " + op + (key == null || key.isEmpty() ? "" : " " + key), () -> once(op, key, request));
    }

    /**
     * As {@link #call} but with the short budget of cleanup after a failure, on a thread of its
     * own: the caller is usually being stopped (interrupted, maybe again while it waits), and an
     * interrupt would abort the very request that cleans up.
     */
    <T> T cleanup(String op, String key, Supplier<T> request) throws IOException {
        RetryPolicy budget = policy.withRetryFor(min(policy.retryFor(), RetryPolicy.CLEANUP_RETRY_FOR));
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(budget.call("S3 " + op + " " + key, () -> once(op, key, request)));
            } catch (IOException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, "s3-cleanup");
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // finish the cleanup first; the flag is restored below
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw (RuntimeException) e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    <T> T once(String op, String key, Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (SdkException e) {
            if (isInterrupt(e)) {
                throw new InterruptedIOException("S3 " + op + " interrupted: " + key);
            }
            throw S3Failures.translate(op, key, settings.where().name(), e);
        }
    }

    private static java.time.Duration min(java.time.Duration a, java.time.Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    @Override
    public ObjectInfo put(String key, InputStream data) throws IOException {
        return put(key, data, Put.PLAIN);
    }

    @Override
    public ObjectInfo put(String key, InputStream data, Put how) throws IOException {
        Keys.check(key);
        if (stat(key).isPresent()) {
            throw new ObjectExistsException(key); // fail before streaming; the conditional write is the real guard
        }
        return new MultipartWriter(this, settings, key, how).write(data);
    }

    @Override
    public Optional<Versions> versions() {
        return Optional.of(new S3Versions(this, s3, settings.where().name()));
    }

    @Override
    public InputStream get(String key) throws IOException {
        Keys.check(key);
        ResponseInputStream<GetObjectResponse> first = open(key, 0, null, true);
        String etag = first.response().eTag();
        // Resumed reads ask for the same version (If-Match): a replaced object fails instead of mixing.
        // ResumingInputStream retries the re-open under the policy, so each re-open is one attempt.
        return new ResumingInputStream(key, abortOnClose(first), offset -> abortOnClose(open(key, offset, etag, false)),
                policy);
    }

    @Override
    public InputStream get(String key, long offset) throws IOException {
        Keys.check(key);
        if (offset == 0) {
            return get(key);
        }
        ResponseInputStream<GetObjectResponse> first = open(key, offset, null, true);
        String etag = first.response().eTag();
        return new ResumingInputStream(key, abortOnClose(first),
                at -> abortOnClose(open(key, offset + at, etag, false)), policy);
    }

    /** A GET from {@code offset}; at or past the end it yields an empty stream (S3 answers 416). */
    private ResponseInputStream<GetObjectResponse> open(String key, long offset, String etag, boolean retry)
            throws IOException {
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(settings.where().name()).key(key);
        if (offset > 0) {
            req.range("bytes=" + offset + "-");
        }
        if (etag != null) {
            req.ifMatch(etag);
        }
        try {
            return retry ? call("get", key, () -> s3.getObject(req.build())) : once("get", key, () -> s3.getObject(req.build()));
        } catch (S3Failures.Failure f) {
            if (f.getCause() instanceof NoSuchKeyException || f.status() == 404 && !"NoSuchBucket".equals(f.code())) {
                throw new ObjectNotFoundException(key);
            }
            if (f.status() == 416 || "InvalidRange".equals(f.code())) {
                return new ResponseInputStream<>(GetObjectResponse.builder().eTag(etag).contentLength(0L).build(),
                        InputStream.nullInputStream());
            }
            if (f.status() == 412) {
                throw new S3Failures.Failure("S3 get " + key + " failed: the object was replaced while it was being read",
                        f, false, 412, f.code());
            }
            throw f;
        }
    }

    /** Closing a half-read SDK stream would read the rest to reuse the connection; abort it instead. */
    private static InputStream abortOnClose(ResponseInputStream<GetObjectResponse> response) {
        return new FilterInputStream(response) {
            private boolean eof;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                eof |= n < 0;
                return n;
            }

            @Override
            public void close() throws IOException {
                if (!eof) {
                    response.abort();
                }
                response.close();
            }
        };
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Keys.check(key);
        try {
            HeadObjectResponse r = call("stat", key, () -> s3.headObject(
                    HeadObjectRequest.builder().bucket(settings.where().name()).key(key).build()));
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified(), r.eTag()));
        } catch (S3Failures.Failure f) {
            if (f.getCause() instanceof NoSuchKeyException || f.status() == 404) {
                return Optional.empty();
            }
            throw f;
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        String token = null;
        do {
            // One page per request, so each page is retried on its own; continuation tokens give every page.
            ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(settings.where().name()).prefix(prefix);
            if (token != null) {
                req.continuationToken(token);
            }
            var page = call("list", prefix, () -> s3.listObjectsV2(req.build()));
            for (S3Object o : page.contents()) {
                out.add(new ObjectInfo(o.key(), o.size(), o.lastModified(), o.eTag()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        Keys.check(key);
        try {
            call("delete", key, () -> s3.deleteObject(DeleteObjectRequest.builder().bucket(settings.where().name()).key(key).build()));
        } catch (S3Failures.Failure f) {
            if (!(f.getCause() instanceof NoSuchKeyException)) {
                throw f;
            }
        }
    }

    @Override
    public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
        Keys.check(key);
        if (!settings.where().conditionalWrites()) {
            return replaceChecked(key, data, expectedVersion);
        }
        int[] attempts = {0};
        try {
            PutObjectResponse r = call("replace", key, () -> {
                attempts[0]++;
                return s3.putObject(PutObjectRequest.builder().bucket(settings.where().name()).key(key).ifMatch(expectedVersion)
                        .contentLength((long) data.length).contentType(MultipartWriter.contentType(key)).build(),
                        RequestBody.fromBytes(data));
            });
            return new ObjectInfo(key, data.length, java.time.Instant.now(), r.eTag());
        } catch (S3Failures.Failure f) {
            if (f.getCause() instanceof S3Exception e && (S3Failures.isPreconditionFailed(e) || e.statusCode() == 404)) {
                // A retry can meet our own first attempt whose answer was lost: then our bytes are there.
                if (attempts[0] > 1) {
                    Optional<ObjectInfo> now = stat(key);
                    if (now.isPresent() && now.get().size() == data.length) {
                        try (InputStream in = get(key)) {
                            if (java.util.Arrays.equals(in.readAllBytes(), data)) {
                                return now.get();
                            }
                        }
                    }
                }
                throw new ObjectChangedException(key);
            }
            throw f;
        }
    }

    /**
     * A replace without {@code If-Match} (S3_CONDITIONAL_WRITES=unsafe-skip): the version is checked
     * first, then written; two writers at once could both win, which the operator accepted.
     */
    private ObjectInfo replaceChecked(String key, byte[] data, String expectedVersion) throws IOException {
        Optional<ObjectInfo> now = stat(key);
        if (now.isEmpty() || !java.util.Objects.equals(now.get().version(), expectedVersion)) {
            throw new ObjectChangedException(key);
        }
        PutObjectResponse r = call("replace", key, () -> s3.putObject(PutObjectRequest.builder()
                .bucket(settings.where().name()).key(key).contentLength((long) data.length)
                .contentType(MultipartWriter.contentType(key)).build(), RequestBody.fromBytes(data)));
        return new ObjectInfo(key, data.length, java.time.Instant.now(), r.eTag());
    }

    @Override
    public List<PendingUpload> pendingUploads(String prefix) throws IOException {
        List<PendingUpload> out = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        do {
            ListMultipartUploadsRequest.Builder req = ListMultipartUploadsRequest.builder().bucket(settings.where().name())
                    .prefix(prefix);
            if (keyMarker != null) {
                req.keyMarker(keyMarker).uploadIdMarker(idMarker);
            }
            var page = call("list uploads", prefix, () -> s3.listMultipartUploads(req.build()));
            for (MultipartUpload u : page.uploads()) {
                out.add(new PendingUpload(u.key(), u.uploadId(), u.initiated(), partBytes(u)));
            }
            boolean more = Boolean.TRUE.equals(page.isTruncated());
            keyMarker = more ? page.nextKeyMarker() : null;
            idMarker = more ? page.nextUploadIdMarker() : null;
        } while (keyMarker != null);
        out.sort(Comparator.comparing(PendingUpload::initiated, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    /** What the parts of a pending upload hold: what it costs to leave it. */
    private long partBytes(MultipartUpload u) {
        try {
            long sum = 0;
            for (var p : s3.listPartsPaginator(b -> b.bucket(settings.where().name()).key(u.key()).uploadId(u.uploadId())).parts()) {
                sum += p.size() == null ? 0 : p.size();
            }
            return sum;
        } catch (SdkException e) {
            return -1;
        }
    }

    @Override
    public void abort(PendingUpload upload) throws IOException {
        try {
            call("abort upload", upload.key(), () -> s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(settings.where().name()).key(upload.key()).uploadId(upload.id()).build()));
        } catch (S3Failures.Failure f) {
            if (!(f.getCause() instanceof NoSuchUploadException) && f.status() != 404) {
                throw f;
            }
        }
    }

    @Override
    public String describe() {
        return "s3://" + settings.where().name() + (settings.where().endpoint() == null ? "" : " at " + settings.where().endpoint());
    }

    @Override
    public void close() {
        s3.close();
    }

    static boolean isInterrupt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException
                    || t instanceof InterruptedIOException && !(t instanceof java.net.SocketTimeoutException)
                    || t instanceof software.amazon.awssdk.core.exception.AbortedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }
}
