package io.pgbackup.health;

import io.pgbackup.Bytes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The verdicts of {@code status}, from facts and a clock (pure). Checks: freshness (FAIL when
 * no backup is as recent as the schedule or the age limit asks), the last drill (FAIL when it
 * failed or is older than the limit), manifests that cannot be read (FAIL), anomalies against the
 * median of recent backups (WARN), interrupted backups of the last day (WARN), and the lock (WARN
 * when stale).
 */
public final class Health {
    private Health() {}

    /** What status reads: backups and drills newest first. */
    public record Input(List<Facts.Backup> backups, List<Facts.Drill> drills, List<Facts.Debris> debris,
            int unreadableManifests, Facts.Lock lock, Instant now, Facts.Protection protection) {
        /** Without a bucket's protection (a directory, or a store that keeps no versions). */
        public Input(List<Facts.Backup> backups, List<Facts.Drill> drills, List<Facts.Debris> debris,
                int unreadableManifests, Facts.Lock lock, Instant now) {
            this(backups, drills, debris, unreadableManifests, lock, now, null);
        }
    }

    public static Status evaluate(Input in, StatusPolicy p) {
        List<Status.Check> checks = new ArrayList<>();
        checks.add(freshness(in, p));
        checks.add(drill(in, p));
        checks.add(manifests(in));
        checks.addAll(anomalies(in, p));
        checks.add(debris(in));
        checks.add(lock(in));
        if (in.protection() != null) {
            checks.add(objectLock(in.protection()));
            checks.add(deleted(in));
        }
        Verdict worst = checks.stream().map(Status.Check::verdict).max(Enum::compareTo).orElse(Verdict.OK);
        boolean healthy = worst == Verdict.OK || worst == Verdict.WARN && !p.strict();
        return new Status(in.now(), worst, healthy, checks);
    }

    /**
     * Freshness, judged by what a backup holds: a backup of a lagging standby that ran on time
     * still holds old data, so a slot is served only by a backup whose data is no older than the
     * slot minus the grace, and the age limit applies to the data's time.
     */
    static Status.Check freshness(Input in, StatusPolicy p) {
        Optional<Facts.Backup> newest = in.backups().stream().findFirst();
        if (p.schedule() != null) {
            Optional<ZonedDateTime> due = p.schedule().lastAtOrBefore(in.now().minus(p.grace()));
            if (due.isEmpty()) {
                return new Status.Check("freshness", Verdict.OK, "no slot of " + p.schedule().describe()
                        + " is due yet");
            }
            Instant slot = due.get().toInstant();
            Optional<Facts.Backup> ran = in.backups().stream().filter(b -> !b.startedAt().isBefore(slot)).findFirst();
            Optional<Facts.Backup> served = ran.filter(b -> !b.freshAsOf().isBefore(slot.minus(p.grace())));
            if (served.isPresent()) {
                return new Status.Check("freshness", Verdict.OK, "the slot " + slot + " of " + p.schedule().describe()
                        + " has backup " + served.get().stem() + " (finished " + ago(served.get().finishedAt(), in.now())
                        + served.get().dataNote(in.now()) + ")");
            }
            if (ran.isPresent()) {
                return new Status.Check("freshness", Verdict.FAIL, "backup " + ran.get().stem() + " ran for the slot " + slot
                        + " of " + p.schedule().describe() + " but holds data older than the slot (as of "
                        + ran.get().dataAsOf() + ", a standby " + human(Duration.between(ran.get().dataAsOf(),
                                ran.get().startedAt())) + " behind; grace " + human(p.grace()) + ")");
            }
            return new Status.Check("freshness", Verdict.FAIL, "no backup since the slot " + slot + " of "
                    + p.schedule().describe() + " (due " + ago(slot, in.now()) + ", grace " + human(p.grace()) + ")"
                    + newest.map(b -> "; the newest, " + b.stem() + ", finished " + ago(b.finishedAt(), in.now())
                            + b.dataNote(in.now()))
                            .orElse("; there is no backup at all"));
        }
        if (newest.isEmpty()) {
            return new Status.Check("freshness", Verdict.FAIL, "there is no backup at all");
        }
        Facts.Backup b = newest.get();
        Duration age = Duration.between(b.freshAsOf(), in.now());
        return new Status.Check("freshness", age.compareTo(p.maxAge()) <= 0 ? Verdict.OK : Verdict.FAIL,
                "the newest backup, " + b.stem() + ", finished " + ago(b.finishedAt(), in.now()) + b.dataNote(in.now())
                        + " (limit " + human(p.maxAge()) + ")");
    }

    static Status.Check drill(Input in, StatusPolicy p) {
        Optional<Facts.Drill> last = in.drills().stream().findFirst();
        if (last.isEmpty()) {
            return new Status.Check("last-drill", p.drillMaxAge() != null ? Verdict.FAIL : Verdict.WARN,
                    "no restore drill has run" + (p.drillMaxAge() != null ? " (limit " + human(p.drillMaxAge()) + ")" : ""));
        }
        Facts.Drill d = last.get();
        String when = "the last drill, of " + d.backup() + ", ran " + ago(d.startedAt(), in.now());
        if (!d.passed()) {
            return new Status.Check("last-drill", Verdict.FAIL, when + " and failed: " + d.failed());
        }
        if (p.drillMaxAge() != null && Duration.between(d.startedAt(), in.now()).compareTo(p.drillMaxAge()) > 0) {
            return new Status.Check("last-drill", Verdict.FAIL, when + ": older than the limit of " + human(p.drillMaxAge()));
        }
        return new Status.Check("last-drill", Verdict.OK, when + " and passed");
    }

    static Status.Check manifests(Input in) {
        return in.unreadableManifests() == 0
                ? new Status.Check("manifests", Verdict.OK, in.backups().size() + " manifests read")
                : new Status.Check("manifests", Verdict.FAIL, in.unreadableManifests()
                        + " manifest(s) cannot be read: their backups are invisible to list and restore (see verify --all)");
    }

    /**
     * Why the newest of {@code newestFirst} is anomalous against the ones before it (rows or bytes
     * collapsed, tables gone, ...), or null: what prune refuses to delete anything after.
     */
    public static String anomaly(List<Facts.Backup> newestFirst, StatusPolicy p) {
        Input in = new Input(newestFirst, List.of(), List.of(), 0, null, Instant.EPOCH);
        return anomalies(in, p).stream().filter(c -> c.verdict() == Verdict.WARN).map(Status.Check::detail).findFirst()
                .orElse(null);
    }

    /** The newest backup against the median of the ones before it. */
    static List<Status.Check> anomalies(Input in, StatusPolicy p) {
        List<Status.Check> out = new ArrayList<>();
        if (in.backups().size() < 2) {
            out.add(new Status.Check("anomalies", Verdict.OK, "not enough history to compare ("
                    + in.backups().size() + " backup(s))"));
            return out;
        }
        Facts.Backup newest = in.backups().get(0);
        List<Facts.Backup> before = in.backups().subList(1, Math.min(in.backups().size(), 1 + p.history()));
        List<String> found = new ArrayList<>();
        long medianBytes = median(before.stream().mapToLong(Facts.Backup::storedBytes).toArray());
        if (medianBytes > 0 && newest.storedBytes() < medianBytes * (1 - p.maxShrink())) {
            found.add(String.format(Locale.ROOT, "stored %s, %.0f%% less than the median %s of the %d before",
                    Bytes.format(newest.storedBytes()), 100 - 100.0 * newest.storedBytes() / medianBytes,
                    Bytes.format(medianBytes), before.size()));
        }
        long[] rows = before.stream().filter(b -> b.totalRows() != null).mapToLong(Facts.Backup::totalRows).toArray();
        if (newest.totalRows() != null && rows.length > 0) {
            long medianRows = median(rows);
            if (medianRows > 0 && newest.totalRows() < medianRows * (1 - p.maxShrink())) {
                found.add(String.format(Locale.ROOT, "%d rows, %.0f%% fewer than the median %d", newest.totalRows(),
                        100 - 100.0 * newest.totalRows() / medianRows, medianRows));
            }
        }
        Set<String> gone = new LinkedHashSet<>(before.get(0).tables() == null || newest.tables() == null ? List.of()
                : before.get(0).tables());
        if (newest.tables() != null) {
            gone.removeAll(newest.tables());
        }
        if (!gone.isEmpty()) {
            found.add(gone.size() + " table(s) of " + before.get(0).stem() + " are gone: " + String.join(", ",
                    gone.stream().limit(10).toList()) + (gone.size() > 10 ? ", ..." : ""));
        }
        long medianMillis = median(before.stream().mapToLong(Facts.Backup::durationMillis).toArray());
        if (medianMillis > 0 && newest.durationMillis() > medianMillis * StatusPolicy.DURATION_FACTOR) {
            found.add(String.format(Locale.ROOT, "took %.0f s, %.1fx the median %.0f s", newest.durationMillis() / 1000.0,
                    (double) newest.durationMillis() / medianMillis, medianMillis / 1000.0));
        }
        if (newest.databaseBytes() >= StatusPolicy.MIN_RATIO_DATABASE_BYTES
                && newest.storedBytes() < newest.databaseBytes() * StatusPolicy.MIN_STORED_RATIO) {
            found.add("stored " + Bytes.format(newest.storedBytes()) + " of a " + Bytes.format(newest.databaseBytes())
                    + " database (under 1%: is the dump selection right?)");
        }
        out.add(found.isEmpty()
                ? new Status.Check("anomalies", Verdict.OK, "the newest backup, " + newest.stem() + ", is like the "
                        + before.size() + " before it")
                : new Status.Check("anomalies", Verdict.WARN, newest.stem() + ": " + String.join("; ", found)));
        return out;
    }

    static Status.Check debris(Input in) {
        Instant dayAgo = in.now().minus(Duration.ofDays(1));
        List<Facts.Debris> recent = in.debris().stream().filter(d -> !d.running() && !d.startedAt().isBefore(dayAgo))
                .toList();
        long running = in.debris().stream().filter(Facts.Debris::running).count();
        String runningNote = running > 0 ? "; " + running + " backup(s) running" : "";
        if (recent.isEmpty()) {
            return new Status.Check("debris", Verdict.OK, "no interrupted backup in the last day" + runningNote);
        }
        long bytes = recent.stream().mapToLong(Facts.Debris::bytes).sum();
        int pending = recent.stream().mapToInt(Facts.Debris::pendingUploads).sum();
        return new Status.Check("debris", Verdict.WARN, recent.size() + " interrupted backup(s) in the last day ("
                + recent.get(0).stem() + (recent.size() > 1 ? ", ..." : "") + "): " + Bytes.format(bytes) + ", " + pending
                + " pending upload(s); the next backup or prune removes them" + runningNote);
    }

    static Status.Check lock(Input in) {
        Facts.Lock l = in.lock();
        if (l == null) {
            return new Status.Check("lock", Verdict.OK, "free");
        }
        String who = l.command() + " on " + l.holder() + " since " + l.startedAt();
        if (l.expiresAt() != null && l.expiresAt().isBefore(in.now())) {
            return new Status.Check("lock", Verdict.WARN, "stale: held by " + who + ", not renewed since " + l.renewedAt()
                    + " (the next run takes it over)");
        }
        return new Status.Check("lock", Verdict.OK, "held by " + who + " (renewed " + ago(l.renewedAt(), in.now()) + ")");
    }

    /** The bucket's Object Lock and versioning against S3_OBJECT_LOCK: a mismatch fails. */
    static Status.Check objectLock(Facts.Protection p) {
        boolean expected = !"off".equals(p.expectedMode());
        String wanted = expected ? p.expectedMode() + " for " + io.pgbackup.config.Durations.format(p.expectedFor())
                : "no lock";
        if (p.readError() != null) {
            return new Status.Check("object-lock", expected ? Verdict.FAIL : Verdict.WARN, "pgbackup expects " + wanted
                    + " but cannot read the bucket's settings: " + p.readError());
        }
        boolean versioned = "Enabled".equalsIgnoreCase(p.versioning());
        String bucket = "bucket: versioning " + (p.versioning() == null ? "off" : p.versioning().toLowerCase(Locale.ROOT))
                + ", Object Lock " + (p.objectLock() ? "on" : "off") + (p.defaultMode() == null ? ""
                        : ", default retention " + p.defaultMode() + " " + (p.defaultRetention() == null ? "?"
                                : io.pgbackup.config.Durations.format(p.defaultRetention())));
        if (expected && (!p.objectLock() || !versioned)) {
            return new Status.Check("object-lock", Verdict.FAIL, "pgbackup locks backups (" + wanted + ") but the "
                    + bucket + ": the locks are not there; create the bucket with Object Lock enabled");
        }
        if (!expected && p.defaultMode() != null) {
            return new Status.Check("object-lock", Verdict.FAIL, "the " + bucket + " locks every new version, but "
                    + "S3_OBJECT_LOCK is off: set S3_OBJECT_LOCK and S3_LOCK_FOR to match, so prune's policy is "
                    + "checked against the lock");
        }
        String kept = p.noncurrentVersions() == 0 ? "" : "; " + p.noncurrentVersions() + " noncurrent version(s) hold "
                + Bytes.format(p.noncurrentBytes()) + " (a lifecycle rule expires them)";
        return new Status.Check("object-lock", Verdict.OK, (expected ? wanted + " on every object; " : "") + bucket + kept);
    }

    /**
     * Backups deleted outside prune: a deleted manifest newer than the newest backup left (prune
     * always keeps the newest) fails, naming the time to read the bucket as of.
     */
    static Status.Check deleted(Input in) {
        List<Facts.Hidden> hidden = in.protection().hidden();
        if (hidden.isEmpty()) {
            return new Status.Check("deleted", Verdict.OK, "no deleted backup in the bucket's versions");
        }
        Instant newestLeft = in.backups().isEmpty() ? Instant.MIN : in.backups().get(0).startedAt();
        List<Facts.Hidden> recent = hidden.stream()
                .filter(h -> io.pgbackup.manifest.KeyLayout.instantOf(h.stem()).isAfter(newestLeft)).toList();
        if (recent.isEmpty()) {
            return new Status.Check("deleted", Verdict.OK, hidden.size() + " deleted backup(s) still in the versions "
                    + "(pruned; readable with --as-of until a lifecycle rule expires them)");
        }
        Instant first = recent.stream().map(Facts.Hidden::deletedAt).min(Instant::compareTo).orElseThrow();
        return new Status.Check("deleted", Verdict.FAIL, recent.size() + " backup(s) newer than every backup left were "
                + "deleted (manifests gone since " + first + ", newest " + recent.get(0).stem() + "): not by prune. "
                + "Read them with --as-of " + first.minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " (list, restore, verify, drill, download)");
    }

    static long median(long[] values) {
        if (values.length == 0) {
            return 0;
        }
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String ago(Instant then, Instant now) {
        if (then == null) {
            return "at an unknown time";
        }
        Duration d = Duration.between(then, now);
        return d.isNegative() ? "in " + human(d.negated()) : human(d) + " ago";
    }

    /** 45 s, 12 min, 5 h, 3 d. */
    public static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 2 * 3600) {
            return s / 60 + " min";
        }
        if (s < 72 * 3600) {
            return s / 3600 + " h";
        }
        return s / 86400 + " d";
    }
}
