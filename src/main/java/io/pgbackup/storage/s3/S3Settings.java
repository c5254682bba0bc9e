package io.pgbackup.storage.s3;

import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;
import io.pgbackup.config.Settings;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.Retention;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
     * How objects are split into parts: the configured part size ({@code size}, the smallest used:
     * every part of an object but the last has its object's part size: R2 requires equal parts),
     * parts of one object in flight while the next fills ({@code concurrency}; 0: one buffer per
     * object), the store's limit of parts per upload ({@code maxParts}: 10,000 on S3, fewer on some
     * stores), and where parts wait for their upload ({@code staging}).
     */
    public record Parts(int size, int concurrency, int maxParts, Staging staging) {
        public static final int S3_MAX_PARTS = 10_000;
        public static final Parts DEFAULT = new Parts(DEFAULT_PART_SIZE, 1, S3_MAX_PARTS, Staging.AUTO);

        public Parts(int size, int concurrency) {
            this(size, concurrency, S3_MAX_PARTS, Staging.AUTO);
        }

        /** Heap for {@code objects} uploads at once: a buffer per part in flight plus the one filling. */
        long heapFor(int objects) {
            return (long) objects * size * (concurrency + 1L);
        }

        /**
         * The part size of an object expected to reach at most {@code expected} bytes (0: unknown):
         * the configured size, or larger so that twice that fits in {@code maxParts} parts (a wide
         * margin for an estimate), MiB-aligned, at most {@link #MAX_BUFFERED_PART}.
         */
        public long sizeFor(long expected) {
            long need = expected <= 0 ? 0 : (2 * expected + maxParts - 1) / maxParts;
            long mib = 1L << 20;
            long aligned = (Math.max(size, need) + mib - 1) / mib * mib;
            return Math.min(Math.max(aligned, size), MAX_BUFFERED_PART);
        }

        /** The buffers one upload of an object expected at {@code expected} bytes holds at most. */
        public long bufferFor(long expected) {
            return sizeFor(expected) * (concurrency + 1L);
        }

        public Parts with(int newConcurrency) {
            return new Parts(size, newConcurrency, maxParts, staging);
        }
    }

    /**
     * Where parts wait for their upload: in the heap, on local disk ({@code TMPDIR}, one file per
     * part buffer), or in the heap while it has room and on disk beyond ({@code AUTO}).
     */
    public enum Staging { MEMORY, DISK, AUTO }

    /**
     * The largest part we make: S3 allows 5 GiB, but a part is one buffer (a Java array, or a
     * file read back per retry) and 2 GiB parts already take 10,000 parts to 20 TiB, past S3's
     * 5 TiB object limit.
     */
    public static final long MAX_BUFFERED_PART = 2047L << 20;

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

    /** Time allowed for one attempt to upload one part of {@code partBytes}: the timeout per started 8 MiB. */
    public Duration partAttemptTimeout(long partBytes) {
        long units = Math.max(1, (partBytes + DEFAULT_PART_SIZE - 1L) / DEFAULT_PART_SIZE);
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
     * when even that does not fit, parts are staged on disk (S3_PART_STAGING auto or disk; each
     * backup checks the disk it needs, see {@link #checkUploads}) or, with S3_PART_STAGING=memory,
     * exit 2 naming the knobs. Otherwise the backup would die with
     * OutOfMemoryError halfway through.
     */
    public S3Settings forUploads(int objects, long maxHeap, boolean mayLower) {
        long need = parts.heapFor(objects) + HEADROOM;
        if (need <= maxHeap) {
            return this;
        }
        Parts one = parts.with(0);
        if (mayLower && parts.concurrency() > 0 && one.heapFor(objects) + HEADROOM <= maxHeap) {
            LoggerFactory.getLogger(S3Settings.class).info("{} uploads at once do not fit {} MiB of heap with a part in "
                    + "flight each: one part buffer per upload (each waits while its part uploads)", objects, maxHeap >> 20);
            return with(one);
        }
        if (parts.staging() != Staging.MEMORY) {
            return mayLower && parts.concurrency() > 0 ? with(one) : this; // parts that do not fit are staged on disk
        }
        throw PgBackupException.config(String.format(Locale.ROOT,
                "upload buffers need %d MiB of heap (%d objects x (S3_PART_CONCURRENCY %d + 1) x S3_PART_SIZE %d MiB, "
                        + "plus %d MiB) but the JVM has %d MiB: lower %sS3_PART_SIZE or S3_PART_CONCURRENCY, raise "
                        + "-Xmx in JAVA_OPTS, or set S3_PART_STAGING=auto to stage the parts that do not fit on disk",
                need >> 20, objects, parts.concurrency(), parts.size() >> 20, HEADROOM >> 20, maxHeap >> 20,
                objects > 2 ? "--parallel-databases, " : ""));
    }

    /** One upload a backup runs: its store's parts and the size its object is expected to reach at most. */
    public record Upload(Parts parts, long expected) {}

    /**
     * Whether {@code uploads} (every upload the backup runs at once, in every store) fit this
     * process: in {@code maxHeap}, each with at least one part buffer of its object's part size,
     * else, where staging allows, in {@code freeDisk}. Returns how they fit, for the log; exit 2
     * otherwise, naming the heap and the machine a backup of this size needs, or the disk it
     * would take. Checked before the first byte, so a database that outgrew its machine fails in
     * a second, not at part 4 of its archive.
     */
    public static String checkUploads(List<Upload> uploads, long maxHeap, long freeDisk) {
        long heap = maxHeap - HEADROOM;
        long oneEach = 0;
        long full = 0;
        long biggest = 0;
        long largest = 0;
        boolean memory = true;
        boolean disk = true;
        int maxParts = Parts.S3_MAX_PARTS;
        for (Upload u : uploads) {
            long size = u.parts().sizeFor(u.expected());
            oneEach += size;
            full += u.parts().bufferFor(u.expected());
            biggest = Math.max(biggest, size);
            largest = Math.max(largest, u.expected());
            memory &= u.parts().staging() != Staging.DISK;
            disk &= u.parts().staging() != Staging.MEMORY;
            maxParts = Math.min(maxParts, u.parts().maxParts());
        }
        for (Upload u : uploads) {
            // parts are capped at MAX_BUFFERED_PART: past that, the margin is gone, then the room
            if (u.parts().sizeFor(u.expected()) * u.parts().maxParts() < u.expected()) {
                throw PgBackupException.config("an object of this backup is expected to reach "
                        + io.pgbackup.Bytes.format(u.expected()) + ", more than S3_MAX_PARTS " + u.parts().maxParts()
                        + " parts of at most " + (MAX_BUFFERED_PART >> 20) + " MiB hold: raise S3_MAX_PARTS if the store "
                        + "allows (S3 takes 10000), or back up the databases separately");
            }
        }
        String sizes = uploads.size() + " upload(s) at once, parts of up to " + (biggest >> 20) + " MiB (objects "
                + "expected up to " + io.pgbackup.Bytes.format(largest) + ", S3_MAX_PARTS " + maxParts + ")";
        if (memory && full <= heap) {
            return sizes + ", " + (full >> 20) + " MiB of buffers in the heap";
        }
        if (memory && oneEach <= heap) {
            return sizes + ", " + (oneEach >> 20) + " to " + (full >> 20) + " MiB of buffers in the heap (fewer parts "
                    + "in flight when it is short)";
        }
        if (disk && full <= freeDisk) {
            return sizes + ": the heap (" + (Math.max(0, heap) >> 20) + " MiB for buffers) is too small, parts are "
                    + "staged on disk: up to " + (full >> 20) + " MiB in TMPDIR";
        }
        long needHeap = oneEach + HEADROOM;
        throw PgBackupException.config("this backup's " + sizes + " need " + (needHeap >> 20) + " MiB of heap but the "
                + "JVM has " + (maxHeap >> 20) + " MiB: give it -Xmx" + (needHeap >> 20) + "m in JAVA_OPTS (a machine of "
                + "at least " + (machineFor(needHeap) >> 20) + " MB)" + (disk ? ", or free " + (full >> 20) + " MiB of disk "
                        + "in TMPDIR to stage the parts there (" + (freeDisk >> 20) + " MiB free)"
                        : ", or let S3_PART_STAGING=auto stage them on disk"));
    }

    /**
     * The machine memory a heap of {@code heap} bytes needs: the heap plus what the process tree
     * takes beside it (192 MiB: the image gives a 256 MB machine -Xmx64m, and its backups peak
     * at 175 MiB of RSS), rounded up to Fly's sizes (256 MB steps).
     */
    static long machineFor(long heap) {
        long mib256 = 256L << 20;
        long machine = heap + (192L << 20);
        return (machine + mib256 - 1) / mib256 * mib256;
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
        Setting staging = s.get("auto", "S3_PART_STAGING");
        Parts parts = new Parts((int) partBytes, s.get("1", "S3_PART_CONCURRENCY").asInt(1, 16),
                s.get(String.valueOf(Parts.S3_MAX_PARTS), "S3_MAX_PARTS").asInt(1, Parts.S3_MAX_PARTS),
                staging.asEnum(Staging.class));
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
