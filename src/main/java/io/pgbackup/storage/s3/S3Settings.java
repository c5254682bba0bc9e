package io.pgbackup.storage.s3;

import java.net.URI;

/**
 * Everything needed to reach a bucket. {@code endpoint} null means AWS itself; {@code accessKey}
 * null means the AWS default credentials chain. {@code checksumsWhenRequired} turns off the SDK's
 * default request checksums (since 2025), which R2, older MinIO and Ceph reject.
 * {@code partSize} is the fixed multipart part size: every part but the last has exactly this
 * size (R2 requires equal parts), and 10,000 parts bound the largest object.
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
        int partConcurrency) {

    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;

    @Override
    public String toString() {
        // Never print the secret.
        return "S3Settings[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region
                + ", pathStyle=" + pathStyle + ", partSize=" + partSize + "]";
    }
}
