package io.pgbackup.storage.s3;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything needed to reach a bucket. {@code endpoint} null means AWS itself; {@code accessKey}
 * null means the AWS default credentials chain; {@code sessionToken} goes with temporary keys. {@code checksumsWhenRequired} turns off request
 * checksums (since 2025 the SDK's default), which some stores reject. {@code partSize} is the
 * fixed multipart part size: every part but the last has exactly this size (R2 requires equal
 * parts), and 10,000 parts bound the largest object.
 *
 * @param timeout  bounds connecting (at most 10 s), each read, and each request attempt (a part
 *                 upload gets this per 8 MiB of part size)
 * @param retryFor how long one request is retried on transient failures before it fails
 * @param caBundle PEM certificates to trust instead of the JDK's (AWS_CA_BUNDLE); null: the JDK's
 */
public record S3Settings(
        String bucket,
        URI endpoint,
        String region,
        boolean pathStyle,
        String accessKey,
        String secretKey,
        boolean checksumsWhenRequired,
        int partSize,
        int partConcurrency,
        Duration timeout,
        Duration retryFor,
        Path caBundle,
        String sessionToken) {

    public S3Settings(String bucket, URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
            boolean checksumsWhenRequired, int partSize, int partConcurrency, Duration timeout, Duration retryFor,
            Path caBundle) {
        this(bucket, endpoint, region, pathStyle, accessKey, secretKey, checksumsWhenRequired, partSize, partConcurrency,
                timeout, retryFor, caBundle, null);
    }

    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RETRY_FOR = Duration.ofMinutes(5);

    /** The settings of earlier versions: default timeout and retry budget, the JDK's CAs. */
    public S3Settings(String bucket, URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
            boolean checksumsWhenRequired, int partSize, int partConcurrency) {
        this(bucket, endpoint, region, pathStyle, accessKey, secretKey, checksumsWhenRequired, partSize, partConcurrency,
                DEFAULT_TIMEOUT, DEFAULT_RETRY_FOR, null);
    }

    public S3Settings withTimeouts(Duration timeout, Duration retryFor) {
        return new S3Settings(bucket, endpoint, region, pathStyle, accessKey, secretKey, checksumsWhenRequired, partSize,
                partConcurrency, timeout, retryFor, caBundle, sessionToken);
    }

    /** Time allowed for one attempt to upload one part: {@link #timeout} per started 8 MiB. */
    public Duration partAttemptTimeout() {
        long units = Math.max(1, (partSize + DEFAULT_PART_SIZE - 1L) / DEFAULT_PART_SIZE);
        return timeout.multipliedBy(units);
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "S3Settings[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region
                + ", pathStyle=" + pathStyle + ", partSize=" + partSize + ", timeout=" + timeout + ", retryFor=" + retryFor
                + "]";
    }

    /** These settings with {@code n} parts of an object in flight (0: one buffer per object). */
    public S3Settings withPartConcurrency(int n) {
        return new S3Settings(bucket, endpoint, region, pathStyle, accessKey, secretKey, checksumsWhenRequired, partSize, n,
                timeout, retryFor, caBundle, sessionToken);
    }
}
