package io.pgbackup.manifest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things live in the store, in one place: every key pgbackup reads or writes is built
 * here, so cleanup, listing and retention agree on what belongs to a run.
 *
 * <p>A backup's objects share a stem {@code <prefix>/YYYY/MM/DD/HH-mm-ss} (UTC, zero-padded;
 * {@code -2}, {@code -3}... when several backups start in the same second) and differ by suffix:
 * {@code .dump}, {@code .sql.zst} (or {@code .sql.gz}, {@code .sql}), {@code .json} (the
 * manifest, written last), {@code .inprogress} (the marker of a running backup),
 * {@code .drill-<time>.json} (restore drill reports). Encrypted backups add {@code .age} to their
 * data objects ({@code .dump.age}, {@code .sql.zst.age}), store their tables and row counts in
 * {@code .catalog.json.age}, and their drills' full reports in {@code .drill-<time>.json.age}
 * (next to a {@code .json} summary without table names). A server backup (several databases)
 * keeps one stem: {@code <stem>.globals.sql.zst} (roles, tablespaces), each database under
 * {@code <stem>/<database>.dump} and {@code <stem>/<database>.sql.zst} (the name
 * percent-encoded outside {@code [A-Za-z0-9_-]}), one manifest {@code <stem>.json} for all of them,
 * written last. The "relative stem" drops the prefix:
 * {@code 2026/11/27/03-00-00}. Outside stems: {@code pgbackup.lock} (the lease) and
 * {@code pgbackup.store.json} (what the store was found to honour).
 */
public final class KeyLayout {
    private static final String MANIFEST_SUFFIX = ".json";
    private static final String DUMP_SUFFIX = ".dump";
    private static final String MARKER_SUFFIX = ".inprogress";
    private static final String DRILL_REPORT_INFIX = ".drill-";
    private static final String LOCK_NAME = "pgbackup.lock";
    private static final String STORE_PROBE_NAME = "pgbackup.store.json";
    private static final String LOCK_PROBE_NAME = "pgbackup.object-lock.json";
    /** Appended to the key of every object that is encrypted with age. */
    private static final String AGE_SUFFIX = ".age";
    /** The globals of a server backup (pg_dumpall --globals-only), before the compression suffix. */
    private static final String GLOBALS_INFIX = ".globals";
    /** The encrypted sidecar of an encrypted backup: its tables and row counts. */
    private static final String CATALOG_SUFFIX = ".catalog.json" + AGE_SUFFIX;
    /** Suffixes of a backup's data objects (not the manifest, marker or reports). */
    private static final List<String> DATA_SUFFIXES = List.of(DUMP_SUFFIX, ".sql", ".sql.zst", ".sql.gz");
    private static final DateTimeFormatter STEM = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH-mm-ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter REPORT_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern REL_STEM = Pattern.compile("(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})-(\\d{2})-(\\d{2})(?:-(\\d+))?");
    private final String prefix;

    public KeyLayout(String prefix) {
        this.prefix = normalize(prefix);
    }

    static String normalize(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    public String prefix() {
        return prefix;
    }

    /** The prefix for messages: {@code 'prod/db1'}, or {@code the bucket root} when there is none. */
    public String describe() {
        return prefix.isEmpty() ? "the bucket root (no S3_PREFIX)" : "'" + prefix + "'";
    }

    /** The list prefix under which all of this layout's keys lie ("" or "prefix/"). */
    public String root() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /** The relative stem for a backup started at {@code t}; {@code seq} 1 is the plain form. */
    public static String relativeStem(Instant t, int seq) {
        String s = STEM.format(t);
        return seq <= 1 ? s : s + "-" + seq;
    }

    /** The relative stem of the day of {@code t}, e.g. {@code 2026/11/27/}, for listing one day. */
    public static String dayPrefix(Instant t) {
        return STEM.format(t).substring(0, 11);
    }

    private String key(String relativeStem, String suffix) {
        return root() + relativeStem + suffix;
    }

    /**
     * Where one database's dump lives: a one-database backup's stem ({@code database} null), or
     * {@code <stem>/<database>} in a server backup.
     */
    private String dumpKey(String relativeStem, String database, String suffix) {
        return database == null ? key(relativeStem, suffix) : databaseKey(relativeStem, database, suffix);
    }

    /** A database's custom-format archive: {@code .dump}, {@code .dump.age} when encrypted. */
    public String archiveKey(String relativeStem, String database, boolean encrypted) {
        return dumpKey(relativeStem, database, DUMP_SUFFIX + (encrypted ? AGE_SUFFIX : ""));
    }

    /** A database's plain SQL script: {@code .sql.zst}, {@code .sql.gz} or {@code .sql} by its compression, {@code .age} when encrypted. */
    public String scriptKey(String relativeStem, String database, String compression, boolean encrypted) {
        return dumpKey(relativeStem, database, scriptSuffix(compression) + (encrypted ? AGE_SUFFIX : ""));
    }

    /** A server backup's globals (pg_dumpall --globals-only, zstd): {@code <stem>.globals.sql.zst[.age]}. */
    public String globalsKey(String relativeStem, boolean encrypted) {
        return key(relativeStem, GLOBALS_INFIX + scriptSuffix("zstd") + (encrypted ? AGE_SUFFIX : ""));
    }

    /** The suffix of a plain script compressed with {@code compression} ({@code zstd}, {@code gzip}, {@code none}). */
    static String scriptSuffix(String compression) {
        return switch (compression) {
            case "zstd" -> ".sql.zst";
            case "gzip" -> ".sql.gz";
            case "none" -> ".sql";
            default -> throw new IllegalArgumentException("no script suffix for compression '" + compression + "'");
        };
    }

    /** A stored object's file name once decrypted: without {@code .age} (a download's file names). */
    public static String decryptedName(String name) {
        return name.endsWith(AGE_SUFFIX) ? name.substring(0, name.length() - AGE_SUFFIX.length()) : name;
    }

    /** {@code key} of {@code from}'s prefix, at the same place under this prefix (a backup copied to another store). */
    public String relocate(String key, KeyLayout from) {
        if (!key.startsWith(from.root())) {
            throw new IllegalArgumentException(key + " is not under " + from.describe());
        }
        return root() + key.substring(from.root().length());
    }

    /** The list prefix of a stem's own objects ({@code <stem>.}), for telling whether a stem is taken. */
    public String stemObjectsPrefix(String relativeStem) {
        return key(relativeStem, ".");
    }

    /** The list prefix of a server backup's databases under a stem ({@code <stem>/}). */
    public String stemDatabasesPrefix(String relativeStem) {
        return key(relativeStem, "/");
    }

    public String manifestKey(String relativeStem) {
        return key(relativeStem, MANIFEST_SUFFIX);
    }

    /** The in-progress marker of a running backup of {@code relativeStem}. */
    public String markerKey(String relativeStem) {
        return key(relativeStem, MARKER_SUFFIX);
    }

    /** The prefix lock's lease object. */
    public String lockKey() {
        return root() + LOCK_NAME;
    }

    /** What the store was found to honour (conditional writes), remembered once per prefix. */
    public String storeProbeKey() {
        return root() + STORE_PROBE_NAME;
    }

    /** Where the answer of the Object Lock probe (does the store enforce a lock?) is remembered. */
    public String lockProbeKey() {
        return root() + LOCK_PROBE_NAME;
    }

    /** A scratch key for probing the store, unique per {@code token}. */
    public String probeScratchKey(String token) {
        return root() + "pgbackup.probe-" + token;
    }

    /** The report of a restore drill of {@code relativeStem} that started at {@code startedAt}. */
    public String drillReportKey(String relativeStem, Instant startedAt) {
        return key(relativeStem, DRILL_REPORT_INFIX + REPORT_TIME.format(startedAt) + MANIFEST_SUFFIX);
    }

    /** The encrypted full report next to {@link #drillReportKey} (for drills of encrypted backups). */
    public String encryptedDrillReportKey(String relativeStem, Instant startedAt) {
        return drillReportKey(relativeStem, startedAt) + AGE_SUFFIX;
    }

    /**
     * Where a server backup keeps one database's objects: {@code <stem>/<encoded name>} (the
     * suffixes {@code .dump}, {@code .sql.zst} follow), so {@code aws s3 ls <stem>/} lists them.
     */
    String databaseKey(String relativeStem, String database, String suffix) {
        return root() + relativeStem + "/" + encodeName(database) + suffix;
    }

    /** A database name as a key segment: {@code [A-Za-z0-9_-]} as is, every other byte (UTF-8) as {@code %XX}. */
    public static String encodeName(String name) {
        StringBuilder b = new StringBuilder();
        for (byte x : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        return b.toString();
    }

    /** The encrypted catalog (tables, row counts) of an encrypted backup. */
    public String catalogKey(String relativeStem) {
        return key(relativeStem, CATALOG_SUFFIX);
    }

    /** The list prefix of every drill report of {@code relativeStem}. */
    public String drillReportPrefix(String relativeStem) {
        return key(relativeStem, DRILL_REPORT_INFIX);
    }

    /** The relative stem if {@code key} is a manifest of this layout, else empty. */
    public Optional<String> manifestStem(String key) {
        if (!key.startsWith(root()) || !key.endsWith(MANIFEST_SUFFIX)) {
            return Optional.empty();
        }
        String rel = key.substring(root().length(), key.length() - MANIFEST_SUFFIX.length());
        return REL_STEM.matcher(rel).matches() ? Optional.of(rel) : Optional.empty();
    }

    /** The relative stem that {@code key} belongs to (any suffix), else empty. */
    public Optional<String> stemOf(String key) {
        if (!key.startsWith(root())) {
            return Optional.empty();
        }
        String rel = key.substring(root().length());
        Matcher m = REL_STEM.matcher(rel);
        if (!m.lookingAt()) {
            return Optional.empty();
        }
        String rest = rel.substring(m.end());
        // "<stem>.suffix", or "<stem>/<database>.suffix" (a server backup's databases)
        return rest.startsWith(".") || rest.startsWith("/") && rest.indexOf('/', 1) < 0 ? Optional.of(m.group())
                : Optional.empty();
    }

    /** When the drill of report {@code key} started (from its name), or empty if it is no report key. */
    public static Optional<Instant> drillReportTime(String key) {
        int i = key.lastIndexOf(DRILL_REPORT_INFIX);
        if (i < 0 || !key.endsWith(MANIFEST_SUFFIX)) {
            return Optional.empty();
        }
        try {
            String t = key.substring(i + DRILL_REPORT_INFIX.length(), key.length() - MANIFEST_SUFFIX.length());
            return Optional.of(java.time.LocalDateTime.parse(t, REPORT_PARSE).toInstant(ZoneOffset.UTC));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static final DateTimeFormatter REPORT_PARSE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'");

    /** The key of the HTML status report of this prefix ({@code report --upload}). */
    public String reportKey() {
        return root() + "report.html";
    }

    /** Whether {@code key} is a drill report (belongs to a stem, but is not part of the backup). */
    public static boolean isDrillReport(String key) {
        int i = key.lastIndexOf(DRILL_REPORT_INFIX);
        return i > 0 && key.endsWith(MANIFEST_SUFFIX) && key.indexOf('/', i) < 0;
    }

    public static boolean isMarker(String key) {
        return key.endsWith(MARKER_SUFFIX);
    }

    /** Whether {@code key} names one of a backup's own objects (data or manifest) by its suffix. */
    public static boolean isBackupObject(String key) {
        int slash = key.lastIndexOf('/');
        if (isDrillReport(key) || key.indexOf(DRILL_REPORT_INFIX, slash + 1) >= 0) {
            return false;
        }
        if (key.endsWith(MANIFEST_SUFFIX) || key.endsWith(AGE_SUFFIX)) {
            return true;
        }
        for (String suffix : DATA_SUFFIXES) {
            if (key.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    public static boolean isRelativeStem(String s) {
        return REL_STEM.matcher(s).matches();
    }

    /** The start second encoded in a relative stem. */
    public static Instant instantOf(String relativeStem) {
        Matcher m = REL_STEM.matcher(relativeStem);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a backup stem: " + relativeStem);
        }
        return Instant.parse(m.group(1) + "-" + m.group(2) + "-" + m.group(3) + "T" + m.group(4) + ":"
                + m.group(5) + ":" + m.group(6) + "Z");
    }
}
