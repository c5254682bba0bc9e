package io.pgbackup.retention;

import io.pgbackup.config.Durations;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which backups to keep, modelled on restic's {@code forget} / {@code ApplyPolicy}.
 *
 * <p>Backups are walked newest first (start time, then stem). A backup is kept if any rule keeps
 * it, and every such rule is listed as a reason, in this order:
 * <ol>
 *   <li>{@code keep-last N}: the N newest;</li>
 *   <li>{@code within D}: started at or after {@code now - D};</li>
 *   <li>{@code hourly/daily/weekly/monthly/yearly <bucket>}: the newest backup of each distinct
 *       period, computed in the policy's zone, until N periods are kept;</li>
 *   <li>{@code labelled '<label>'}: labelled backups, unless the policy includes them;</li>
 *   <li>{@code min-keep N}: the N newest of all backups, whatever the other rules say.</li>
 * </ol>
 * Pinned (labelled, not included) backups take no part in rules 1-3. Deleted backups get the
 * single reason {@value Decision#NO_RULE}.
 *
 * <p>Unlike restic, keep-within is measured from {@code now}, not from the newest backup, and
 * a GFS rule does not additionally keep the oldest backup when it runs out of periods.
 */
public final class RetentionPlanner {

    /** Newest first; equal start times are broken by stem so the order is total and stable. */
    static final Comparator<BackupRef> NEWEST_FIRST = Comparator
            .comparing(BackupRef::startedAt)
            .thenComparing(BackupRef::stem)
            .reversed();

    private RetentionPlanner() {}

    /**
     * Plans retention.
     *
     * @param backups all backups of one series, in any order; stems must be unique
     * @param policy  the policy; validated here
     * @param now     the current time, passed in so planning is reproducible
     * @return one decision per backup, newest first; never deletes all of a non-empty input
     * @throws IllegalArgumentException if the policy is invalid or stems repeat
     */
    public static Plan plan(List<BackupRef> backups, RetentionPolicy policy, Instant now) {
        policy.validate();
        if (now == null) {
            throw new IllegalArgumentException("now must be given");
        }
        List<BackupRef> sorted = sortedUnique(backups);

        Instant withinCutoff = policy.hasKeepWithin() ? now.minus(policy.keepWithin()) : null;
        String withinReason = policy.hasKeepWithin()
                ? "within " + Durations.format(policy.keepWithin()) : null;

        // Per-period bucket keys already kept; since we walk newest first, the first backup seen
        // in a bucket is its newest. A set (rather than restic's "last value") stays correct even
        // if local time runs backwards, as it does in the fall-back hour.
        Map<Period, Set<String>> keptBuckets = new EnumMap<>(Period.class);
        for (Period p : Period.values()) {
            keptBuckets.put(p, new HashSet<>());
        }

        List<Decision> decisions = new ArrayList<>(sorted.size());
        int ruleIndex = 0; // position among backups the rules apply to (pinned ones skipped)
        for (int i = 0; i < sorted.size(); i++) {
            BackupRef b = sorted.get(i);
            List<String> reasons = new ArrayList<>();
            boolean pinned = b.labelled() && !policy.includeLabelled();
            if (!pinned) {
                if (ruleIndex < policy.keepLast()) {
                    reasons.add("keep-last " + policy.keepLast());
                }
                if (withinCutoff != null && !b.startedAt().isBefore(withinCutoff)) {
                    reasons.add(withinReason);
                }
                ZonedDateTime local = b.startedAt().atZone(policy.zone());
                for (Period p : Period.values()) {
                    Set<String> kept = keptBuckets.get(p);
                    String bucket = p.bucket(local);
                    if (kept.size() < p.count(policy) && kept.add(bucket)) {
                        reasons.add(p.reason(bucket));
                    }
                }
                ruleIndex++;
            } else {
                reasons.add("labelled '" + b.label() + "'");
            }
            if (i < policy.minKeep()) {
                reasons.add("min-keep " + policy.minKeep());
            }
            boolean keep = !reasons.isEmpty();
            decisions.add(new Decision(b, keep, keep ? reasons : List.of(Decision.NO_RULE)));
        }

        Plan plan = new Plan(decisions);
        // min-keep >= 1 makes this impossible; it is the one mistake a retention tool must never
        // make, so check the outcome rather than trust the reasoning.
        if (!sorted.isEmpty() && plan.keep().isEmpty()) {
            throw new IllegalStateException("retention plan would delete every backup");
        }
        return plan;
    }

    private static List<BackupRef> sortedUnique(List<BackupRef> backups) {
        Set<String> stems = new HashSet<>();
        for (BackupRef b : backups) {
            if (!stems.add(b.stem())) {
                throw new IllegalArgumentException("duplicate backup stem " + b.stem());
            }
        }
        List<BackupRef> sorted = new ArrayList<>(backups);
        sorted.sort(NEWEST_FIRST);
        return sorted;
    }
}
