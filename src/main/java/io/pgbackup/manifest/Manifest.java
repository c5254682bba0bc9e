package io.pgbackup.manifest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of one complete backup, written last: a backup exists if and only if its manifest
 * does. Everything that reads backups (list, restore, verify, drill, retention, tick) reads this.
 *
 * @param formatVersion the manifest schema version; readers refuse newer ones
 * @param stem          the relative stem, e.g. {@code 2026/11/27/03-00-00}
 * @param trigger       {@code adhoc} or {@code scheduled}
 * @param slot          for scheduled runs, the cron fire time this backup served
 */
public record Manifest(
        int formatVersion,
        String tool,
        String toolVersion,
        String stem,
        String label,
        String trigger,
        Instant slot,
        Instant startedAt,
        Instant finishedAt,
        long durationMillis,
        Source source,
        Dump dump,
        List<StoredObject> objects,
        List<Table> tables) {

    public static final int FORMAT_VERSION = 1;

    /** The database the backup was taken from; {@code uri} is redacted. */
    public record Source(String database, String uri, String serverVersion, int serverMajor, long sizeBytes) {}

    /** How pg_dump ran: its version, archive compression and the selection options passed through. */
    public record Dump(String pgDumpVersion, String compression, List<String> options) {}

    /**
     * One stored object. {@code bytes} and {@code sha256} were measured on the bytes as uploaded.
     *
     * @param format      {@code custom} (pg_restore archive) or {@code plain} (SQL script)
     * @param compression for plain: {@code zstd}, {@code gzip} or {@code none}; for custom: pg_dump's
     */
    public record StoredObject(String key, String format, String compression, long bytes, String sha256) {}

    /** A table with pg_class's estimate and, with {@code --count-rows}, the exact count. */
    public record Table(String schema, String name, long rowEstimate, Long rowCount) {}

    public Optional<StoredObject> object(String format) {
        return objects.stream().filter(o -> o.format().equals(format)).findFirst();
    }

    public long totalBytes() {
        return objects.stream().mapToLong(StoredObject::bytes).sum();
    }
}
