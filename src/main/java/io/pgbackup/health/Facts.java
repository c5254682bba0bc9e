package io.pgbackup.health;

import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.Manifest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What health is judged on, as plain values (golden files hold them as JSON). */
public final class Facts {
    private Facts() {}

    /**
     * One complete backup. {@code totalRows} is null for backups without exact counts;
     * {@code dataAsOf} is the time a standby's backup holds the data as of (null: its start).
     */
    public record Backup(String stem, String label, String trigger, Instant slot, Instant startedAt, Instant finishedAt,
            long durationMillis, Map<String, Long> bytesByFormat, long databaseBytes, Long totalRows, List<String> tables,
            String database, Instant dataAsOf) {
        public Backup(String stem, String label, String trigger, Instant slot, Instant startedAt, Instant finishedAt,
                long durationMillis, Map<String, Long> bytesByFormat, long databaseBytes, Long totalRows,
                List<String> tables, String database) {
            this(stem, label, trigger, slot, startedAt, finishedAt, durationMillis, bytesByFormat, databaseBytes, totalRows,
                    tables, database, null);
        }

        public long storedBytes() {
            return bytesByFormat.values().stream().mapToLong(Long::longValue).sum();
        }

        /** What freshness is judged by: the data's time when it is not the backup's own. */
        public Instant freshAsOf() {
            return dataAsOf != null ? dataAsOf : finishedAt;
        }

        /** ", holding data as of 2 h ago (from a standby)" when the data is older than the backup; else "". */
        String dataNote(Instant now) {
            if (dataAsOf == null || Duration.between(dataAsOf, startedAt).toSeconds() < 60) {
                return "";
            }
            return ", holding data as of " + Health.ago(dataAsOf, now) + " (a standby "
                    + Health.human(Duration.between(dataAsOf, startedAt)) + " behind)";
        }

        public static Backup of(Manifest m) {
            Map<String, Long> bytes = new LinkedHashMap<>();
            for (Manifest.StoredObject o : m.objects()) {
                bytes.merge(o.format(), o.bytes(), Long::sum);
            }
            return new Backup(m.stem(), m.label(), m.trigger(), m.slot(), m.startedAt(), m.finishedAt(), m.durationMillis(),
                    bytes, m.source() == null ? 0 : m.source().sizeBytes(), m.exactRowCounts() ? m.rows().total() : null,
                    // an encrypted backup's tables are in its encrypted catalog: unknown here, not "none"
                    m.encrypted() || m.tables() == null ? null : tableNames(m),
                    m.source() == null ? null : m.source().database(), m.dataAsOf());
        }
    }

    /** The tables a backup holds; a server backup's as {@code database/schema.table}. */
    static List<String> tableNames(Manifest m) {
        if (!m.serverBackup()) {
            return m.tables().stream().map(Manifest.Table::qualified).toList();
        }
        List<String> out = new java.util.ArrayList<>();
        for (Manifest.Database d : m.server().databases()) {
            if (d.tables() != null) {
                d.tables().forEach(t -> out.add(d.name() + "/" + t.qualified()));
            }
        }
        return out;
    }

    /** One restore drill report; {@code failed} names the failed checks (empty when it passed). */
    public record Drill(String backup, Instant startedAt, boolean passed, String failed) {
        public static Drill of(DrillReport r) {
            return new Drill(r.backup(), r.startedAt(), r.passed(), r.checks().stream().filter(c -> !c.ok())
                    .map(c -> c.name() + ": " + c.detail()).reduce((a, b) -> a + "; " + b).orElse(""));
        }
    }

    /** An interrupted backup (no manifest); {@code running} when its marker names the current lease. */
    public record Debris(String stem, Instant startedAt, long bytes, int pendingUploads, boolean running) {}

    /** The prefix lock as stored. */
    public record Lock(String holder, String command, Instant startedAt, Instant renewedAt, Instant expiresAt) {}

    /**
     * What the bucket does to keep backups, against what pgbackup expects. {@code expectedMode} is
     * S3_OBJECT_LOCK's mode ("off", "governance", "compliance") for {@code expectedFor}; the bucket's
     * own settings follow ({@code readError}: they could not be read, why). {@code hidden} are the
     * backups whose manifest's current version is a delete marker (deleted, still in versions):
     * each with when it was deleted.
     */
    public record Protection(String expectedMode, Duration expectedFor, String readError, String versioning,
            boolean objectLock, String defaultMode, Duration defaultRetention, long noncurrentBytes,
            int noncurrentVersions, List<Hidden> hidden) {}

    /** A deleted backup that versioning keeps: its stem, and when its manifest was deleted. */
    public record Hidden(String stem, Instant deletedAt) {}
}
