package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.repo.StoreProbe;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.fs.FsObjectStore;
import io.pgbackup.storage.s3.S3ObjectStore;
import io.pgbackup.storage.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where backups live: an S3 bucket when one is configured, else a local directory with the same
 * key layout. All values are validated in {@link #resolve} before anything is opened.
 */
final class StoreOptions {
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
            description = "Multipart part size (min 5MiB; 10,000 parts bound an object). Env: S3_PART_SIZE. "
                    + "Default: 8MiB.")
    String partSize;

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

    /** Whether the part concurrency was chosen (flag or S3_PART_CONCURRENCY), not defaulted. */
    boolean partConcurrencyChosen(Map<String, String> env) {
        return partConcurrency != null || env.get("S3_PART_CONCURRENCY") != null && !env.get("S3_PART_CONCURRENCY").isBlank();
    }

    /** Validated store settings; nothing is contacted yet. */
    record Resolved(S3Settings s3, Path dir, KeyLayout layout, StoreProbe.Mode probe) {
        /** Heap the JVM keeps for everything but upload buffers (SDK, pipes, manifests). */
        static final long HEADROOM = 24L * 1024 * 1024;

        /**
         * Fails before anything runs when two uploads' part buffers (the .dump and the SQL script,
         * {@code partSize * (partConcurrency + 1)} each) cannot fit in {@code maxHeap}: otherwise
         * the backup would die with OutOfMemoryError halfway through.
         */
        Resolved requireUploadMemory() {
            return requireUploadMemory(Runtime.getRuntime().maxMemory());
        }

        Resolved requireUploadMemory(long maxHeap) {
            if (s3 == null) {
                return this;
            }
            long need = 2L * s3.partSize() * (s3.partConcurrency() + 1) + HEADROOM;
            if (need > maxHeap) {
                throw PgBackupException.config(String.format(java.util.Locale.ROOT,
                        "upload buffers need %d MiB of heap (2 objects x (S3_PART_CONCURRENCY %d + 1) x S3_PART_SIZE "
                                + "%d MiB, plus %d MiB) but the JVM has %d MiB: lower S3_PART_SIZE or "
                                + "S3_PART_CONCURRENCY, or raise -Xmx in JAVA_OPTS",
                        need >> 20, s3.partConcurrency(), s3.partSize() >> 20, HEADROOM >> 20, maxHeap >> 20));
            }
            return this;
        }

        /**
         * The check for {@code objects} uploads at once (a server backup: two per database dumped
         * in parallel, the globals being small). When the buffers do not fit and the part
         * concurrency was not chosen ({@code mayLower}), each object gets one buffer instead (the
         * producer waits while its part uploads; not a setting of its own), which is said in a log
         * line; when even that does not fit, exit 2 naming the knobs.
         */
        Resolved requireUploadMemory(int objects, long maxHeap, boolean mayLower) {
            if (s3 == null) {
                return this;
            }
            long need = (long) objects * s3.partSize() * (s3.partConcurrency() + 1) + HEADROOM;
            if (need <= maxHeap) {
                return this;
            }
            long one = (long) objects * s3.partSize() + HEADROOM;
            if (mayLower && s3.partConcurrency() > 0 && one <= maxHeap) {
                org.slf4j.LoggerFactory.getLogger(StoreOptions.class).info("{} uploads at once do not fit {} MiB of heap "
                        + "with a part in flight each: one part buffer per upload (each waits while its part uploads)", objects,
                        maxHeap >> 20);
                return new Resolved(s3.withPartConcurrency(0), dir, layout, probe);
            }
            throw PgBackupException.config(String.format(java.util.Locale.ROOT,
                    "upload buffers need %d MiB of heap (%d objects x (S3_PART_CONCURRENCY %d + 1) x S3_PART_SIZE %d MiB, "
                            + "plus %d MiB) but the JVM has %d MiB: lower --parallel-databases, S3_PART_SIZE or "
                            + "S3_PART_CONCURRENCY, or raise -Xmx in JAVA_OPTS",
                    need >> 20, objects, s3.partConcurrency(), s3.partSize() >> 20, HEADROOM >> 20, maxHeap >> 20));
        }

        /** The store for events and metrics: no endpoint credentials, no keys. */
        String describe() {
            return s3 != null ? "s3://" + s3.bucket() : dir.toAbsolutePath().toString();
        }

        ObjectStore open() {
            // Every command that opens the store reads manifests or leases next: Jackson's ~700
            // classes load on another core while the S3 client starts (tick: ~0.3 s sooner).
            Warmup.inBackground("json", io.pgbackup.manifest.ManifestCodec::mapper);
            if (s3 == null) {
                return new FsObjectStore(dir);
            }
            try {
                return new S3ObjectStore(s3);
            } catch (io.pgbackup.storage.s3.S3Credentials.CredentialsException e) {
                throw PgBackupException.config(e.getMessage());
            }
        }
    }

    Resolved resolve(Map<String, String> env) {
        KeyLayout layout = new KeyLayout(Setting.resolve(env, "--prefix", prefix, "", "S3_PREFIX").value());
        Setting b = Setting.resolve(env, "--bucket", bucket, null, "S3_BUCKET", "BUCKET_NAME");
        if (!b.isSet()) {
            Setting dir = Setting.resolve(env, "--backup-dir", backupDir, "./backups", "BACKUP_DIR");
            // A local directory honours never-overwrite by construction (hard links): nothing to probe.
            return new Resolved(null, Path.of(dir.value().strip()), layout, StoreProbe.Mode.SKIP);
        }
        String bucketName = b.value().strip();
        if (!bucketName.matches("[a-z0-9][a-z0-9.\\-_]{1,254}")) {
            throw PgBackupException.config(b.source() + " '" + bucketName
                    + "' is not a valid bucket name: use lower-case letters, digits, '.', '-'");
        }
        Setting ep = Setting.resolve(env, "--endpoint", endpoint, null, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "S3_ENDPOINT");
        URI endpointUri = null;
        if (ep.isSet()) {
            try {
                endpointUri = URI.create(ep.value().strip());
            } catch (IllegalArgumentException e) {
                throw PgBackupException.config(ep.source() + " is not a URL: " + e.getMessage());
            }
            if (endpointUri.getScheme() == null || !endpointUri.getScheme().matches("https?") || endpointUri.getHost() == null) {
                throw PgBackupException.config(ep.source() + " must be an http(s) URL such as "
                        + "https://fly.storage.tigris.dev; got '" + ep.value().strip() + "'");
            }
        }
        Setting r = Setting.resolve(env, "--region", region, endpointUri != null ? "us-east-1" : null,
                "AWS_REGION", "AWS_DEFAULT_REGION");
        String regionName = r.isSet() ? r.value().strip() : null;
        if (regionName != null && !regionName.matches("[a-z0-9-]+")) {
            throw PgBackupException.config(r.source() + " '" + regionName + "' is not a region name such as us-east-1 or auto");
        }
        Setting ps = Setting.resolve(env, "--path-style", pathStyle, "auto", "S3_PATH_STYLE");
        boolean path = switch (ps.value().strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> endpointUri != null;
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw PgBackupException.config(ps.source() + " must be auto, true or false; got '" + ps.value() + "'");
        };
        Setting cs = Setting.resolve(env, "--s3-checksums", checksums, "when_supported", "S3_CHECKSUMS");
        boolean whenRequired = switch (cs.value().strip().toLowerCase(Locale.ROOT)) {
            case "when_supported" -> false;
            case "when_required" -> true;
            default -> throw PgBackupException.config(cs.source() + " must be when_supported or when_required; got '"
                    + cs.value() + "'");
        };
        Setting part = Setting.resolve(env, "--part-size", partSize, "8MiB", "S3_PART_SIZE");
        long partBytes = Sizes.parse(part);
        if (partBytes < S3Settings.MIN_PART_SIZE || partBytes > 512L * 1024 * 1024) {
            throw PgBackupException.config(part.source() + " must be between 5MiB and 512MiB; got '" + part.value() + "'");
        }
        int concurrency = Flags.intInRange(
                Setting.resolve(env, "--part-concurrency", partConcurrency, "1", "S3_PART_CONCURRENCY"), 1, 16);
        // The seed's AWS_ID/AWS_SECRET are aliases; the SDK's own variables and chain win when set.
        String id = null;
        String secret = null;
        if (isBlank(env.get("AWS_ACCESS_KEY_ID")) && !isBlank(env.get("AWS_ID"))) {
            if (isBlank(env.get("AWS_SECRET"))) {
                throw PgBackupException.config("AWS_ID is set but AWS_SECRET is not: set both, or use "
                        + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            }
            id = env.get("AWS_ID").strip();
            secret = env.get("AWS_SECRET").strip();
        } else if (!isBlank(env.get("AWS_ACCESS_KEY_ID")) && isBlank(env.get("AWS_SECRET_ACCESS_KEY"))) {
            throw PgBackupException.config("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both");
        } else if (!isBlank(env.get("AWS_ACCESS_KEY_ID"))) {
            // Read from the given environment (not the JVM's) so tests and the CLI agree.
            id = env.get("AWS_ACCESS_KEY_ID").strip();
            secret = env.get("AWS_SECRET_ACCESS_KEY").strip();
        }
        java.time.Duration requestTimeout = LockOptions.duration(
                Setting.resolve(env, "--s3-timeout", timeout, "60s", "S3_TIMEOUT"), false);
        java.time.Duration retryBudget = LockOptions.duration(
                Setting.resolve(env, "--s3-retry-for", retryFor, "5m", "S3_RETRY_FOR"), true);
        Setting ca = Setting.resolve(env, "--ca-bundle", caBundle, null, "AWS_CA_BUNDLE");
        Path caPath = ca.isSet() ? Path.of(ca.value().strip()) : null;
        Setting cw = Setting.resolve(env, "--s3-conditional-writes", conditionalWrites, "probe", "S3_CONDITIONAL_WRITES");
        StoreProbe.Mode probe = switch (cw.value().strip().toLowerCase(Locale.ROOT)) {
            case "probe" -> StoreProbe.Mode.PROBE;
            case "unsafe-skip" -> StoreProbe.Mode.SKIP;
            default -> throw PgBackupException.config(cw.source() + " must be probe or unsafe-skip; got '" + cw.value() + "'");
        };
        // Temporary keys (aws sts assume-role, aws configure export-credentials) come with a session token.
        String token = !isBlank(env.get("AWS_ACCESS_KEY_ID")) && !isBlank(env.get("AWS_SESSION_TOKEN"))
                ? env.get("AWS_SESSION_TOKEN").strip() : null;
        S3Settings s3 = new S3Settings(bucketName, endpointUri, regionName, path, id, secret, whenRequired,
                (int) partBytes, concurrency, requestTimeout, retryBudget, caPath, token);
        try {
            S3ObjectStore.checkCaBundle(s3);
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(ca.source() + ": " + e.getMessage());
        }
        return new Resolved(s3, null, layout, probe);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
