package io.pgbackup.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Optional;

/**
 * Maps wall-clock fire times of a {@link WallClock} to instants in a zone, walking the zone's
 * offset transitions one constant-offset segment at a time. Within a segment the mapping is a
 * plain shift by the offset, so cron-utils never sees a DST transition.
 *
 * <p>{@code fixedTime} schedules (neither minute nor hour field starts with {@code *}) get the
 * Vixie-cron treatment: a wall-clock time skipped by a forward transition fires once at the
 * transition instant, and a wall-clock time repeated by a backward transition fires only at its
 * first occurrence. Other schedules fire whenever the local clock matches, which is what
 * "every N minutes/hours" means.
 */
final class ZonedFireTimes {
    // Each step crosses one transition (about two a year); this bounds the search for expressions
    // that never fire again, such as "0 0 30 2 *", without a cron-utils call per transition.
    private static final int MAX_SEGMENTS = 1_000;

    private final WallClock clock;
    private final ZoneRules rules;
    private final boolean fixedTime;

    ZonedFireTimes(WallClock clock, ZoneId zone, boolean fixedTime) {
        this.clock = clock;
        this.rules = zone.getRules();
        this.fixedTime = fixedTime;
    }

    /** First fire instant strictly after {@code t}. */
    Optional<Instant> after(Instant t) {
        Instant from = t.plusNanos(1); // inclusive lower bound of the current segment
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            Optional<ZoneOffsetTransition> overlap = repeatedHalf(from);
            if (overlap.isPresent()) {
                from = endOfRepeat(overlap.get()); // second occurrences never fire here
                continue;
            }
            ZoneOffset offset = rules.getOffset(from);
            ZoneOffsetTransition next = rules.nextTransition(from);
            Optional<LocalDateTime> local = clock.atOrAfter(LocalDateTime.ofInstant(from, offset));
            if (local.isEmpty()) {
                return Optional.empty();
            }
            Instant candidate = local.get().toInstant(offset);
            if (next == null || candidate.isBefore(next.getInstant())) {
                return Optional.of(candidate);
            }
            if (fixedTime && next.isGap() && firesIn(next)) {
                return Optional.of(next.getInstant());
            }
            from = next.getInstant();
        }
        return Optional.empty();
    }

    /** Latest fire instant at or before {@code t}. */
    Optional<Instant> atOrBefore(Instant t) {
        Instant upTo = t; // inclusive upper bound of the current segment
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            Optional<ZoneOffsetTransition> overlap = repeatedHalf(upTo);
            if (overlap.isPresent()) {
                upTo = overlap.get().getInstant().minusNanos(1);
                continue;
            }
            ZoneOffset offset = rules.getOffset(upTo);
            // previousTransition is strictly before its argument; a transition exactly at upTo starts
            // this segment, so look from just past it.
            ZoneOffsetTransition previous = rules.previousTransition(upTo.plusNanos(1));
            Optional<LocalDateTime> local = clock.atOrBefore(LocalDateTime.ofInstant(upTo, offset));
            if (local.isEmpty()) {
                return Optional.empty();
            }
            Instant candidate = local.get().toInstant(offset);
            if (previous == null || !candidate.isBefore(previous.getInstant())) {
                if (fixedTime && previous != null && previous.isOverlap()
                        && candidate.isBefore(endOfRepeat(previous))) {
                    // The candidate is a second occurrence, and nothing later in this segment
                    // fired: continue before the transition.
                    upTo = previous.getInstant().minusNanos(1);
                    continue;
                }
                return Optional.of(candidate);
            }
            if (fixedTime && previous.isGap() && firesIn(previous)) {
                return Optional.of(previous.getInstant());
            }
            upTo = previous.getInstant().minusNanos(1);
        }
        return Optional.empty();
    }

    /** The backward transition whose repeated wall-clock hour {@code t} is the second pass of. */
    private Optional<ZoneOffsetTransition> repeatedHalf(Instant t) {
        if (!fixedTime) {
            return Optional.empty();
        }
        ZoneOffsetTransition transition = rules.getTransition(LocalDateTime.ofInstant(t, rules.getOffset(t)));
        if (transition != null && transition.isOverlap()
                && rules.getOffset(t).equals(transition.getOffsetAfter())) {
            return Optional.of(transition);
        }
        return Optional.empty();
    }

    /** First instant after a backward transition whose wall-clock time is not repeated. */
    private static Instant endOfRepeat(ZoneOffsetTransition overlap) {
        return overlap.getDateTimeBefore().toInstant(overlap.getOffsetAfter());
    }

    /** Whether any wall-clock fire time falls in the hour(s) a forward transition skips. */
    private boolean firesIn(ZoneOffsetTransition gap) {
        return clock.atOrAfter(gap.getDateTimeBefore())
                .filter(local -> local.isBefore(gap.getDateTimeAfter()))
                .isPresent();
    }
}
