package io.pgbackup.jobs;

import io.pgbackup.Bytes;
import io.pgbackup.health.Status;
import io.pgbackup.health.Verdict;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.notify.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** What a finished run tells the channels, from what it produced. */
public final class Outcomes {
    private Outcomes() {}

    public static Outcome backup(Manifest m) {
        List<Outcome.StoredObject> objects = m.objects().stream()
                .map(o -> new Outcome.StoredObject(o.key(), o.format(), o.bytes())).toList();
        String sizes = m.objects().stream().map(o -> o.key().substring(o.key().lastIndexOf('/') + 1) + " "
                + Bytes.format(o.bytes())).collect(Collectors.joining(", "));
        String summary = String.format(Locale.ROOT, "backup %s: %s in %.1f s%s", m.stem(), sizes,
                m.durationMillis() / 1000.0, standbyNote(m));
        Map<String, String> extra = new java.util.LinkedHashMap<>();
        extra.put("tables", String.valueOf(tables(m)));
        Manifest.Standby standby = m.source() == null ? null : m.source().standby();
        if (standby != null) {
            // a backup of a standby holds the data as of its replay, not as of its start
            extra.put("standbyReplayLsn", standby.replayLsn());
            if (standby.dataAsOf() != null) {
                extra.put("dataAsOf", standby.dataAsOf().toString());
            }
        }
        return Outcome.success(m.finishedAt(), summary).with(new Outcome.Backup(m.stem(), objects,
                m.source() == null ? null : m.source().database(), m.source() == null ? null : m.source().sizeBytes(),
                m.exactRowCounts() ? m.rows().total() : null)).with(extra);
    }

    /** "; from a standby, data as of T (N s behind its start)" for backups of standbys; else "". */
    public static String standbyNote(Manifest m) {
        Manifest.Standby s = m.source() == null ? null : m.source().standby();
        if (s == null) {
            return "";
        }
        if (s.dataAsOf() == null) {
            return "; from a standby (replayed to " + s.replayLsn() + ")";
        }
        long behind = Math.max(0, java.time.Duration.between(s.dataAsOf(), m.startedAt()).toSeconds());
        return "; from a standby, data as of " + s.dataAsOf() + " (" + behind + " s before its start; replayed to "
                + s.replayLsn() + ")";
    }

    /** Tables of a backup: a server backup's summed over its databases. */
    public static int tables(Manifest m) {
        return !m.serverBackup() ? m.tables().size() : m.server().databases().stream()
                .mapToInt(d -> d.tables() == null ? 0 : d.tables().size()).sum();
    }

    /** A backup's copy to the second store, done. */
    public static Outcome copy(Manifest m, String store, Instant finished) {
        return Outcome.success(finished, "backup " + m.stem() + " copied to " + store)
                .with(new Outcome.Backup(m.stem(), List.of(), m.source() == null ? null : m.source().database(), null,
                        null));
    }

    public static Outcome drill(DrillReport r, Manifest m, Instant finished) {
        String summary = "drill of " + r.backup() + " passed: " + r.checks().size() + " checks in "
                + String.format(Locale.ROOT, "%.1f s", r.totalMillis() / 1000.0);
        return Outcome.success(finished, summary).with(new Outcome.Backup(r.backup(), List.of(),
                m.source() == null ? null : m.source().database(), null, null));
    }

    public static Outcome prune(int deleted, int objects, int aborted, Instant finished) {
        return Outcome.success(finished, "prune: " + deleted + " backup(s) deleted, " + objects + " object(s), " + aborted
                + " pending upload(s) aborted");
    }

    public static Outcome status(Status s) {
        long warnings = s.checks().stream().filter(c -> c.verdict() == Verdict.WARN).count();
        return Outcome.success(s.at(), "status: healthy" + (warnings > 0 ? " (" + warnings + " warning(s))" : ""));
    }
}
