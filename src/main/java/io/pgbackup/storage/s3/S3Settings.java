package io.pgbackup.storage.s3;

import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;
import io.pgbackup.config.Settings;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.Retention;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Everything needed to reach a bucket, in five parts: where it is, the keys, the multipart
 * parts, the time limits and the Object Lock its backups get. {@link #resolve} reads them from the S3 variables (and the flags that
 * stand for them), with every alias, default and bound in this one place; {@link #forUploads}
 * holds the one formula of the heap the uploads need.
 */
public record S3Settings(Bucket where, Keys keys, Parts parts, Timeouts timeouts, ObjectLock lock) {
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int MAX_PART_SIZE = 512 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RETRY_FOR = Duration.ofMinutes(5);
    /** Heap the JVM keeps for everything but upload buffers (SDK, pipes, manifests). */
    public static final long HEADROOM = 24L * 1024 * 1024;

    /**
     * The bucket and how to reach it. {@code endpoint} null means AWS itself.
     * {@code checksumsWhenRequired} turns off request checksums (since 2025 the SDK's default),
     * which some stores reject; {@code caBundle} holds PEM certificates to trust instead of the
     * JDK's (AWS_CA_BUNDLE), null for the JDK's. {@code conditionalWrites} false
     * (S3_CONDITIONAL_WRITES=unsafe-skip) sends no {@code If-None-Match}/{@code If-Match}: a store
     * that gets them wrong (Ceph 16 answers every {@code If-Match} PUT with 412) is written with a
     * check before the write instead, safe for one writer at a time.
     */
    public record Bucket(String name, URI endpoint, String region, boolean pathStyle, boolean checksumsWhenRequired,
            Path caBundle, boolean conditionalWrites) {
        /** A bucket at an S3-compatible endpoint, path-style, with the JDK's certificates and conditional writes. */
        public static Bucket at(String name, URI endpoint, String region) {
            return new Bucket(name, endpoint, region, true, false, null, true);
        }
    }

    /** Static keys; {@link #CHAIN} (no access key) means the AWS default credentials chain. */
    public record Keys(String accessKey, String secretKey, String sessionToken) {
        public static final Keys CHAIN = new Keys(null, null, null);

        public static Keys of(String accessKey, String secretKey) {
            return new Keys(accessKey, secretKey, null);
        }

        @Override
        public String toString() {
            return accessKey == null ? "Keys[chain]" : "Keys[static]"; // never the secret
        }
    }

    /**
     * The fixed multipart part size (every part but the last has exactly this size: R2 requires
     * equal parts; 10,000 parts bound the largest object) and how many parts of one object are
     * in flight while the next fills (0: one buffer per object).
     */
    public record Parts(int size, int concurrency) {
        public static final Parts DEFAULT = new Parts(DEFAULT_PART_SIZE, 1);

        /** Heap for {@code objects} uploads at once: a buffer per part in flight plus the one filling. */
        long heapFor(int objects) {
            return (long) objects * size * (concurrency + 1L);
        }
    }

    /**
     * @param timeout  bounds connecting (at most 10 s), each read, and each request attempt (a part
     *                 upload gets this per 8 MiB of part size)
     * @param retryFor how long one request is retried on transient failures before it fails
     */
    public record Timeouts(Duration timeout, Duration retryFor) {
        public static final Timeouts DEFAULT = new Timeouts(DEFAULT_TIMEOUT, DEFAULT_RETRY_FOR);
    }

    /** A bucket with these keys, default parts and time limits, no Object Lock. */
    public static S3Settings of(Bucket where, Keys keys) {
        return new S3Settings(where, keys, Parts.DEFAULT, Timeouts.DEFAULT, ObjectLock.OFF);
    }

    public S3Settings with(Parts other) {
        return new S3Settings(where, keys, other, timeouts, lock);
    }

    public S3Settings with(Timeouts other) {
        return new S3Settings(where, keys, parts, other, lock);
    }

    public S3Settings with(ObjectLock other) {
        return new S3Settings(where, keys, parts, timeouts, other);
    }

    /** Time allowed for one attempt to upload one part: the timeout per started 8 MiB. */
    public Duration partAttemptTimeout() {
        long units = Math.max(1, (parts.size() + DEFAULT_PART_SIZE - 1L) / DEFAULT_PART_SIZE);
        return timeouts.timeout().multipliedBy(units);
    }

    /** For events and metrics: no endpoint credentials, no keys. */
    public String describe() {
        return "s3://" + where.name();
    }

    /**
     * These settings for {@code objects} uploads at once within {@code maxHeap}. When the buffers
     * do not fit and the part concurrency was not chosen ({@code mayLower}), each object gets one
     * buffer instead (the producer waits while its part uploads), which is said in a log line;
     * when even that does not fit, exit 2 naming the knobs. Otherwise the backup would die with
     * OutOfMemoryError halfway through.
     */
    public S3Settings forUploads(int objects, long maxHeap, boolean mayLower) {
        long need = parts.heapFor(objects) + HEADROOM;
        if (need <= maxHeap) {
            return this;
        }
        Parts one = new Parts(parts.size(), 0);
        if (mayLower && parts.concurrency() > 0 && one.heapFor(objects) + HEADROOM <= maxHeap) {
            LoggerFactory.getLogger(S3Settings.class).info("{} uploads at once do not fit {} MiB of heap with a part in "
                    + "flight each: one part buffer per upload (each waits while its part uploads)", objects, maxHeap >> 20);
            return with(one);
        }
        throw PgBackupException.config(String.format(Locale.ROOT,
                "upload buffers need %d MiB of heap (%d objects x (S3_PART_CONCURRENCY %d + 1) x S3_PART_SIZE %d MiB, "
                        + "plus %d MiB) but the JVM has %d MiB: lower %sS3_PART_SIZE or S3_PART_CONCURRENCY, or raise "
                        + "-Xmx in JAVA_OPTS",
                need >> 20, objects, parts.concurrency(), parts.size() >> 20, HEADROOM >> 20, maxHeap >> 20,
                objects > 2 ? "--parallel-databases, " : ""));
    }

    /** Whether the part concurrency was chosen (flag or S3_PART_CONCURRENCY), not defaulted. */
    public static boolean partConcurrencyChosen(Settings s) {
        return s.get(null, "S3_PART_CONCURRENCY").isSet();
    }

    /**
     * The S3 settings, or null when no bucket is set (backups then go to a directory). Every value
     * is checked here, before anything is contacted; errors name the flag or variable.
     */
    public static S3Settings resolve(Settings s) {
        Setting b = s.get(null, "S3_BUCKET", "BUCKET_NAME"); // BUCKET_NAME: set by `fly storage create`
        if (!b.isSet()) {
            return null;
        }
        String name = b.text();
        if (!name.matches("[a-z0-9][a-z0-9.\\-_]{1,254}")) {
            throw PgBackupException.config(b.source() + " '" + name
                    + "' is not a valid bucket name: use lower-case letters, digits, '.', '-'");
        }
        URI endpoint = endpoint(s.get(null, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "S3_ENDPOINT"));
        Setting r = s.get(endpoint != null ? "us-east-1" : null, "AWS_REGION", "AWS_DEFAULT_REGION");
        String region = r.isSet() ? r.text() : null;
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw PgBackupException.config(r.source() + " '" + region + "' is not a region name such as us-east-1 or auto");
        }
        Setting ps = s.get("auto", "S3_PATH_STYLE");
        boolean pathStyle = switch (ps.text().toLowerCase(Locale.ROOT)) {
            case "auto" -> endpoint != null;
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw ps.invalid("must be auto, true or false");
        };
        Setting cs = s.get("when_supported", "S3_CHECKSUMS");
        boolean whenRequired = switch (cs.text().toLowerCase(Locale.ROOT)) {
            case "when_supported" -> false;
            case "when_required" -> true;
            default -> throw cs.invalid("must be when_supported or when_required");
        };
        Setting ca = s.get(null, "AWS_CA_BUNDLE");
        Setting cw = s.get("probe", "S3_CONDITIONAL_WRITES");
        boolean conditional = switch (cw.text().toLowerCase(Locale.ROOT)) {
            case "probe" -> true;
            case "unsafe-skip" -> false;
            default -> throw cw.invalid("must be probe or unsafe-skip");
        };
        Bucket where = new Bucket(name, endpoint, region, pathStyle, whenRequired, ca.isSet() ? Path.of(ca.text()) : null,
                conditional);
        Setting part = s.get("8MiB", "S3_PART_SIZE");
        long partBytes = part.asBytes();
        if (partBytes < MIN_PART_SIZE || partBytes > MAX_PART_SIZE) {
            throw part.invalid("must be between 5MiB and 512MiB");
        }
        Parts parts = new Parts((int) partBytes, s.get("1", "S3_PART_CONCURRENCY").asInt(1, 16));
        Timeouts timeouts = new Timeouts(s.get("60s", "S3_TIMEOUT").asDuration(false),
                s.get("5m", "S3_RETRY_FOR").asDuration(true));
        S3Settings settings = new S3Settings(where, keys(s), parts, timeouts, lock(s));
        try {
            if (where.caBundle() != null) {
                S3Clients.trustManagers(settings);
            }
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(ca.source() + ": " + e.getMessage());
        }
        return settings;
    }

    /**
     * S3_OBJECT_LOCK (off, governance, compliance) and S3_LOCK_FOR (how long from each backup's
     * start), S3_OBJECT_LOCK_CHECK (probe: the store must be shown to enforce the lock once;
     * unsafe-skip). A lock without a length, or a length without a lock, is a configuration error.
     */
    static ObjectLock lock(Settings s) {
        Setting mode = s.get("off", "S3_OBJECT_LOCK");
        Setting length = s.get(null, "S3_LOCK_FOR");
        Retention.Mode m = switch (mode.text().toLowerCase(Locale.ROOT)) {
            case "off", "false", "none" -> null;
            case "governance" -> Retention.Mode.GOVERNANCE;
            case "compliance" -> Retention.Mode.COMPLIANCE;
            default -> throw mode.invalid("must be off, governance or compliance");
        };
        if (m == null) {
            if (length.isSet()) {
                throw PgBackupException.config(length.source() + " is set but " + mode.source() + " is off: set "
                        + "S3_OBJECT_LOCK=governance or compliance to lock backups, or unset " + length.source());
            }
            return ObjectLock.OFF;
        }
        if (!length.isSet()) {
            throw PgBackupException.config(mode.source() + "=" + m.label() + " needs S3_LOCK_FOR, how long each backup "
                    + "stays locked from its start (e.g. 30d); it must cover what the retention policy keeps");
        }
        Setting check = s.get("probe", "S3_OBJECT_LOCK_CHECK");
        boolean verify = switch (check.text().toLowerCase(Locale.ROOT)) {
            case "probe" -> true;
            case "unsafe-skip" -> false;
            default -> throw check.invalid("must be probe or unsafe-skip");
        };
        return new ObjectLock(m, length.asDuration(false), verify);
    }

    private static URI endpoint(Setting ep) {
        if (!ep.isSet()) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(ep.text());
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(ep.source() + " is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw ep.invalid("must be an http(s) URL such as https://fly.storage.tigris.dev");
        }
        return uri;
    }

    /**
     * Static keys from the given environment (not the JVM's, so tests and the CLI agree), else
     * the default chain. The seed's AWS_ID/AWS_SECRET are aliases; the SDK's own variables win
     * when set. Temporary keys (aws sts assume-role) come with AWS_SESSION_TOKEN.
     */
    private static Keys keys(Settings s) {
        String id = s.env("AWS_ACCESS_KEY_ID");
        if (id == null && s.env("AWS_ID") != null) {
            if (s.env("AWS_SECRET") == null) {
                throw PgBackupException.config("AWS_ID is set but AWS_SECRET is not: set both, or use "
                        + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            }
            return Keys.of(s.env("AWS_ID").strip(), s.env("AWS_SECRET").strip());
        }
        if (id == null) {
            return Keys.CHAIN;
        }
        if (s.env("AWS_SECRET_ACCESS_KEY") == null) {
            throw PgBackupException.config("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both");
        }
        String token = s.env("AWS_SESSION_TOKEN");
        return new Keys(id.strip(), s.env("AWS_SECRET_ACCESS_KEY").strip(), token == null ? null : token.strip());
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "S3Settings[" + where + ", " + keys + ", " + parts + ", " + timeouts + "]";
    }
}
