package io.pgbackup.backup.prune;

import io.pgbackup.health.Facts;
import io.pgbackup.health.Health;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.retention.RetentionGuard;
import java.util.HashSet;
import java.util.Set;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.OrphanSweeper;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.retention.BackupRef;
import io.pgbackup.retention.Decision;
import io.pgbackup.retention.Plan;
import io.pgbackup.retention.RetentionPlanner;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.PendingUpload;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a retention policy to the backups in a store. The plan comes from manifests only (never
 * from object timestamps); a backup is deleted manifest first, then its objects, so a half-pruned
 * backup is never listed. Leftovers of interrupted backups go too: at once when their run is known
 * to be dead (its marker names a lease that is not the current one), else after a day; their
 * pending uploads are aborted. Backups whose manifest cannot be read are never deleted (they may
 * be a newer pgbackup's): they are reported.
 */
public final class PruneService {
    private static final Logger log = LoggerFactory.getLogger(PruneService.class);
    static final Duration LEFTOVER_AGE = Duration.ofDays(1);
    private final Catalog catalog;

    public PruneService(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * What prune would do: the plan, the leftovers, and what it will not touch; {@code refused}
     * says why it deletes nothing at all (the newest backup is anomalous), or is null.
     */
    public record Outcome(Plan plan, List<Catalog.Incomplete> leftovers, List<Catalog.Unreadable> unreadable,
            String refused) {}

    /**
     * The retention guard: the newest {@code keepDrilled} backups with a passed drill are kept
     * whatever the policy says, and nothing is deleted while the newest backup is anomalous
     * against the ones before it (judged by {@code status}'s rules), unless {@code force}.
     */
    public record Guard(int keepDrilled, boolean force, StatusPolicy anomalies) {
        public static final Guard DEFAULT = new Guard(1, false, new StatusPolicy(null, StatusPolicy.DEFAULT_GRACE,
                StatusPolicy.DEFAULT_MAX_AGE, null, StatusPolicy.DEFAULT_HISTORY, StatusPolicy.DEFAULT_MAX_SHRINK, false));

        public Guard forced() {
            return new Guard(keepDrilled, true, anomalies);
        }
    }

    /** What prune did. */
    public record Applied(int objects, int abortedUploads, long abortedBytes, int sweptRuns) {}

    public Outcome plan(RetentionPolicy policy, Instant now) {
        return plan(policy, now, Guard.DEFAULT);
    }

    public Outcome plan(RetentionPolicy policy, Instant now, Guard guard) {
        Catalog.Scan scan = catalog.scan();
        List<BackupRef> refs = new ArrayList<>();
        for (Manifest m : scan.backups()) {
            refs.add(new BackupRef(m.stem(), m.startedAt(), m.label()));
        }
        Plan plan = RetentionGuard.keepDrilled(RetentionPlanner.plan(refs, policy, now), drilled(scan.backups(),
                guard.keepDrilled()), guard.keepDrilled());
        String anomaly = plan.delete().isEmpty() || guard.force() ? null : Health.anomaly(scan.backups().stream()
                .limit(guard.anomalies().history() + 1L).map(Facts.Backup::of).toList(), guard.anomalies());
        String refused = anomaly == null ? null : "the newest backup " + scan.backups().get(0).stem() + " is anomalous ("
                + anomaly + "): prune deletes nothing so that the backups from before it are kept; look at it, then "
                + "run prune --force";
        if (!refs.isEmpty() && plan.keep().isEmpty()) {
            // The planner's min-keep makes this impossible; refuse rather than trust that blindly.
            throw PgBackupException.config("the retention policy would delete every backup: refused");
        }
        List<Catalog.Incomplete> leftovers = scan.incomplete().stream()
                .filter(i -> i.unreadable() == null && i.startedAt().isBefore(now.minus(LEFTOVER_AGE))).toList();
        return new Outcome(plan, leftovers, scan.unreadable(), refused);
    }

    /** The newest backups (up to {@code n}) whose newest drill passed: one listing and report read per backup tried. */
    private Set<String> drilled(List<Manifest> newestFirst, int n) {
        Set<String> out = new HashSet<>();
        for (Manifest m : newestFirst) {
            if (out.size() >= n) {
                break;
            }
            try {
                String newest = null;
                for (ObjectInfo o : catalog.store().list(catalog.layout().drillReportPrefix(m.stem()))) {
                    if (KeyLayout.isDrillReport(o.key()) && (newest == null || o.key().compareTo(newest) > 0)) {
                        newest = o.key();
                    }
                }
                if (newest != null) {
                    try (java.io.InputStream in = catalog.store().get(newest)) {
                        if (ManifestCodec.mapper().readValue(in, DrillReport.class).passed()) {
                            out.add(m.stem());
                        }
                    }
                }
            } catch (IOException e) {
                // an unreadable report proves nothing: the backup is not counted as drilled
                log.debug("cannot read the drill reports of {}: {}", m.stem(), e.getMessage());
            }
        }
        return out;
    }

    /** Carries out {@code outcome} under {@code lock}: first the runs known dead, then the plan. */
    public Applied apply(Outcome outcome, PrefixLock lock, Instant now) {
        if (outcome.refused() != null) {
            throw new PgBackupException(ExitCode.CHECK_FAILED, "prune refused: " + outcome.refused());
        }
        int deleted = 0;
        int aborted = 0;
        long abortedBytes = 0;
        int swept = 0;
        try {
            OrphanSweeper.Swept s = OrphanSweeper.sweep(catalog.store(), catalog.layout(), lock.lease(), lock.ttl(), now);
            aborted += s.abortedUploads();
            abortedBytes += s.abortedBytes();
            deleted += s.deletedObjects();
            swept = s.stems().size();
            for (Decision d : outcome.plan().delete()) {
                String stem = d.backup().stem();
                var objects = catalog.objectsOf(stem);
                String manifest = catalog.layout().manifestKey(stem);
                catalog.store().delete(manifest); // first: from now on it is not a backup
                deleted++;
                for (String key : objects.keySet()) {
                    if (!key.equals(manifest)) {
                        catalog.store().delete(key);
                        deleted++;
                    }
                }
                log.info("pruned {} ({})", stem, String.join(", ", d.reasons()));
            }
            for (Catalog.Incomplete i : outcome.leftovers()) {
                if (s.stems().contains(i.stem())) {
                    continue; // the sweep took care of it
                }
                for (PendingUpload u : i.pending()) {
                    catalog.store().abort(u);
                    aborted++;
                    abortedBytes += Math.max(0, u.bytes());
                }
                for (ObjectInfo o : i.objects()) {
                    catalog.store().delete(o.key());
                    deleted++;
                }
                log.info("removed leftovers of the interrupted backup {}", i.stem());
            }
            for (Catalog.Unreadable u : outcome.unreadable()) {
                log.warn("kept {}: its manifest cannot be read ({}){}", u.stem(), u.reason(),
                        u.newerFormat() ? "" : "; inspect it and delete it by hand if it is damaged");
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "prune failed: " + e.getMessage(), e);
        }
        lock.committed();
        return new Applied(deleted, aborted, abortedBytes, swept);
    }
}
