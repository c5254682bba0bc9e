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
        List<Table> tables,
        Rows rows) {

    public static final int FORMAT_VERSION = 1;

    /** Manifests of earlier versions: no row summary. */
    public Manifest(int formatVersion, String tool, String toolVersion, String stem, String label, String trigger,
            Instant slot, Instant startedAt, Instant finishedAt, long durationMillis, Source source, Dump dump,
            List<StoredObject> objects, List<Table> tables) {
        this(formatVersion, tool, toolVersion, stem, label, trigger, slot, startedAt, finishedAt, durationMillis, source,
                dump, objects, tables, null);
    }

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

    /**
     * A table of the backup. {@code rowCount} is exact: counted from the dump stream (its own rows,
     * as {@code SELECT count(*) FROM ONLY} sees them), or, in manifests written before pgbackup
     * counted the stream, with {@code --count-rows}; null when the dump holds no data of it.
     * {@code data} says why it has none: {@code excluded} (--exclude-table-data, a schema-only
     * dump, an unlogged table left out) or {@code partitioned} (its rows are in its partitions);
     * null when the rows were counted. {@code rowEstimate} is the planner's, for reports only.
     */
    public record Table(String schema, String name, long rowEstimate, Long rowCount, String data) {
        public Table(String schema, String name, long rowEstimate, Long rowCount) {
            this(schema, name, rowEstimate, rowCount, null);
        }

        public String qualified() {
            return schema + "." + name;
        }
    }

    /**
     * How the row counts were obtained ({@code source}: {@code dump-stream}), their total and the
     * number of large objects in the dump. Absent in manifests of earlier versions.
     */
    public record Rows(String source, long total, long largeObjects) {
        public static final String DUMP_STREAM = "dump-stream";
    }

    /** Whether the row counts are exact counts of the dump (drills compare them, and nothing else). */
    public boolean exactRowCounts() {
        return rows != null && Rows.DUMP_STREAM.equals(rows.source());
    }

    public Optional<StoredObject> object(String format) {
        return objects.stream().filter(o -> o.format().equals(format)).findFirst();
    }

    public long totalBytes() {
        return objects.stream().mapToLong(StoredObject::bytes).sum();
    }
}
