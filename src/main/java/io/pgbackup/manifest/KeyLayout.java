package io.pgbackup.manifest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things live in the store, in one place. A backup's objects share a stem
 * {@code <prefix>/YYYY/MM/DD/HH-mm-ss} (UTC, zero-padded; {@code -2}, {@code -3}... when several
 * backups start in the same second) and differ by suffix: {@code .dump}, {@code .sql.zst},
 * {@code .json} (the manifest). The "relative stem" drops the prefix: {@code 2026/11/27/03-00-00}.
 */
public final class KeyLayout {
    public static final String MANIFEST_SUFFIX = ".json";
    public static final String DUMP_SUFFIX = ".dump";
    private static final java.util.List<String> BACKUP_SUFFIXES =
            java.util.List.of(MANIFEST_SUFFIX, DUMP_SUFFIX, ".sql", ".sql.zst", ".sql.gz");
    private static final DateTimeFormatter STEM = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH-mm-ss").withZone(ZoneOffset.UTC);
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

    public String key(String relativeStem, String suffix) {
        return root() + relativeStem + suffix;
    }

    public String manifestKey(String relativeStem) {
        return key(relativeStem, MANIFEST_SUFFIX);
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
        return rest.startsWith(".") ? Optional.of(m.group()) : Optional.empty();
    }

    /** Whether {@code key} names one of a backup's own objects (data or manifest) by its suffix. */
    public static boolean isBackupObject(String key) {
        for (String suffix : BACKUP_SUFFIXES) {
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
