package io.pgbackup.backup;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.retention.BackupRef;
import io.pgbackup.retention.Decision;
import io.pgbackup.retention.Plan;
import io.pgbackup.retention.RetentionPlanner;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.storage.ObjectInfo;
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
 * backup is never listed. Leftovers of interrupted backups older than a day go too.
 */
public final class PruneService {
    private static final Logger log = LoggerFactory.getLogger(PruneService.class);
    static final Duration LEFTOVER_AGE = Duration.ofDays(1);
    private final Catalog catalog;

    public PruneService(Catalog catalog) {
        this.catalog = catalog;
    }

    /** What prune would do: the plan and the leftovers. */
    public record Outcome(Plan plan, List<Catalog.Incomplete> leftovers) {}

    public Outcome plan(RetentionPolicy policy, Instant now) {
        List<BackupRef> refs = new ArrayList<>();
        for (Manifest m : catalog.all()) {
            refs.add(new BackupRef(m.stem(), m.startedAt(), m.label()));
        }
        Plan plan = RetentionPlanner.plan(refs, policy, now);
        if (!refs.isEmpty() && plan.keep().isEmpty()) {
            // The planner's min-keep makes this impossible; refuse rather than trust that blindly.
            throw PgBackupException.config("the retention policy would delete every backup: refused");
        }
        List<Catalog.Incomplete> leftovers = catalog.incomplete().stream()
                .filter(i -> i.startedAt().isBefore(now.minus(LEFTOVER_AGE))).toList();
        return new Outcome(plan, leftovers);
    }

    /** Carries out {@code outcome}; returns the number of objects deleted. */
    public int apply(Outcome outcome) {
        int deleted = 0;
        try {
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
                for (ObjectInfo o : i.objects()) {
                    catalog.store().delete(o.key());
                    deleted++;
                }
                log.info("removed leftovers of the interrupted backup {}", i.stem());
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "prune failed: " + e.getMessage(), e);
        }
        return deleted;
    }
}
