package io.pgbackup.backup.take;

import io.pgbackup.manifest.Manifest;
import java.util.HashMap;
import java.util.Map;

/**
 * What the previous backup of the same source stored, per database and format: with the database's
 * size, what the next backup's objects are expected to reach (which sizes their upload parts).
 */
public record Previous(Map<String, Map<String, Long>> bytes) {
    public static final Previous NONE = new Previous(Map.of());
    private static final String ONE = "";

    /** The sizes of {@code m}'s objects (a server backup's per database), or {@link #NONE} for null. */
    public static Previous of(Manifest m) {
        if (m == null) {
            return NONE;
        }
        Map<String, Map<String, Long>> out = new HashMap<>();
        if (m.serverBackup()) {
            for (Manifest.Database d : m.server().databases()) {
                d.objects().forEach(o -> out.computeIfAbsent(d.name(), x -> new HashMap<>()).merge(o.format(), o.bytes(),
                        Math::max));
            }
        } else {
            m.objects().forEach(o -> out.computeIfAbsent(ONE, x -> new HashMap<>()).merge(o.format(), o.bytes(), Math::max));
        }
        return new Previous(out);
    }

    /** What {@code database}'s (null: the one database's) object of {@code format} took, or 0. */
    long bytes(String database, String format) {
        return bytes.getOrDefault(database == null ? ONE : database, Map.of()).getOrDefault(format, 0L);
    }
}
