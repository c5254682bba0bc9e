package io.pgbackup.cli;

import io.pgbackup.config.Settings;
import picocli.CommandLine.Option;

/**
 * Where backups live: an S3 bucket when one is configured, else a local directory with the same
 * key layout. The flags stand for their variables; the repository reads and checks them all
 * before anything is opened (see {@code jobs.Repository} and {@code storage.s3.S3Settings}).
 */
final class StoreOptions implements FlagSet {
    @Option(names = "--bucket", paramLabel = "NAME",
            description = "S3 bucket. Env: S3_BUCKET, then BUCKET_NAME (set by `fly storage create`). "
                    + "Default: none, backups go to --backup-dir.")
    String bucket;

    @Option(names = "--prefix", paramLabel = "PATH",
            description = "Key prefix inside the bucket or directory. Env: S3_PREFIX. Default: none.")
    String prefix;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "S3 endpoint for S3-compatible stores (Tigris, R2, MinIO). Env: AWS_ENDPOINT_URL_S3, "
                    + "AWS_ENDPOINT_URL, S3_ENDPOINT. Default: AWS.")
    String endpoint;

    @Option(names = "--region", paramLabel = "REGION",
            description = "S3 region ('auto' accepted for Tigris and R2). Env: AWS_REGION, AWS_DEFAULT_REGION. "
                    + "Default: us-east-1 with a custom endpoint, else the AWS default chain.")
    String region;

    @Option(names = "--path-style", paramLabel = "auto|true|false",
            description = "Path-style addressing. Env: S3_PATH_STYLE. Default: auto (on with a custom endpoint).")
    String pathStyle;

    @Option(names = "--s3-checksums", paramLabel = "when_supported|when_required",
            description = "SDK request checksums; when_required for R2, older MinIO and Ceph. Env: S3_CHECKSUMS. "
                    + "Default: when_supported.")
    String checksums;

    @Option(names = "--part-size", paramLabel = "SIZE",
            description = "Smallest multipart part size, 5MiB-512MiB; each object's parts grow with the database so "
                    + "it fits --max-parts twice over. Env: S3_PART_SIZE. Default: 8MiB.")
    String partSize;

    @Option(names = "--max-parts", paramLabel = "N",
            description = "Parts per upload the store takes, 1-10000 (Scaleway: 1000). Env: S3_MAX_PARTS. Default: 10000.")
    String maxParts;

    @Option(names = "--part-staging", paramLabel = "auto|memory|disk",
            description = "Where part buffers that do not fit the heap wait: auto stages them in TMPDIR, memory refuses "
                    + "the backup (exit 2), disk always stages. Env: S3_PART_STAGING. Default: auto.")
    String partStaging;

    @Option(names = "--part-concurrency", paramLabel = "N",
            description = "Parts of one object uploaded at once, 1-16; each needs a part-size buffer. "
                    + "Env: S3_PART_CONCURRENCY. Default: 1 (one part in flight while the next fills).")
    String partConcurrency;

    @Option(names = "--s3-timeout", paramLabel = "DURATION",
            description = "Bounds connecting, every read and every request attempt (a part upload gets this per "
                    + "8 MiB of part size). Env: S3_TIMEOUT. Default: 60s.")
    String timeout;

    @Option(names = "--s3-retry-for", paramLabel = "DURATION",
            description = "How long one request is retried (with backoff) on 5xx, throttling, resets and timeouts "
                    + "before it fails. Env: S3_RETRY_FOR. Default: 5m.")
    String retryFor;

    @Option(names = "--ca-bundle", paramLabel = "FILE",
            description = "PEM file of the CA certificates to trust for an https endpoint (instead of the JDK's). "
                    + "Env: AWS_CA_BUNDLE. Default: the JDK's.")
    String caBundle;

    @Option(names = "--s3-conditional-writes", paramLabel = "probe|unsafe-skip",
            description = "probe: check once that the store honours If-None-Match/If-Match (remembered in "
                    + "pgbackup.store.json) and refuse it otherwise; unsafe-skip: run without that guarantee. "
                    + "Env: S3_CONDITIONAL_WRITES. Default: probe.")
    String conditionalWrites;

    @Option(names = "--backup-dir", paramLabel = "DIR",
            description = "Local directory used when no bucket is set. Env: BACKUP_DIR. Default: ./backups.")
    String backupDir;

    @Override
    public Settings register(Settings s) {
        return s.flag("--bucket", bucket, "S3_BUCKET").flag("--prefix", prefix, "S3_PREFIX")
                .flag("--endpoint", endpoint, "AWS_ENDPOINT_URL_S3").flag("--region", region, "AWS_REGION")
                .flag("--path-style", pathStyle, "S3_PATH_STYLE").flag("--s3-checksums", checksums, "S3_CHECKSUMS")
                .flag("--part-size", partSize, "S3_PART_SIZE").flag("--part-concurrency", partConcurrency, "S3_PART_CONCURRENCY")
                .flag("--max-parts", maxParts, "S3_MAX_PARTS").flag("--part-staging", partStaging, "S3_PART_STAGING")
                .flag("--s3-timeout", timeout, "S3_TIMEOUT").flag("--s3-retry-for", retryFor, "S3_RETRY_FOR")
                .flag("--ca-bundle", caBundle, "AWS_CA_BUNDLE")
                .flag("--s3-conditional-writes", conditionalWrites, "S3_CONDITIONAL_WRITES")
                .flag("--backup-dir", backupDir, "BACKUP_DIR");
    }
}
