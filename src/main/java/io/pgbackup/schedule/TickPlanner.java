package io.pgbackup.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Due-slot logic for "tick" mode, where the platform wakes the machine periodically (e.g. hourly)
 * rather than at the cron times. A pure function of its arguments.
 *
 * <p>The slot due now is the latest fire time at or before {@code now} that is strictly after the
 * last served slot; a slot exactly at {@code now} counts. Older unserved fire times are only
 * reported as missed: after an outage one backup of the current state is worth more than a burst
 * of identical ones. With no served slot yet (a new deployment) the latest fire time is due only
 * if it is within {@code lookback} of {@code now}, so a fresh daily schedule deployed at 14:00 runs
 * the 03:00 slot with a 25 h lookback but not with a 6 h one.
 */
public final class TickPlanner {
    /** Missed slots are only reported, so the list is capped to keep reports small. */
    public static final int MAX_REPORTED_MISSED = 100;

    private TickPlanner() {}

    /**
     * Decides what a wake-up at {@code now} should do.
     *
     * @param lastServedSlot the {@code dueSlot} of the last decision that was acted on, if any
     * @param lookback how far back a first-ever wake-up may reach for a slot; must not be negative
     */
    public static TickDecision decide(CronSchedule s, Optional<Instant> lastServedSlot, Instant now,
            Duration lookback) {
        Objects.requireNonNull(s, "s");
        Objects.requireNonNull(lastServedSlot, "lastServedSlot");
        Objects.requireNonNull(now, "now");
        if (lookback.isNegative()) {
            throw new IllegalArgumentException("lookback must not be negative: " + lookback);
        }
        Optional<Instant> next = s.nextAfter(now).map(ZonedDateTime::toInstant);
        // A fresh deployment counts as if it had served everything before the lookback window.
        Instant servedUpTo = lastServedSlot.orElse(now.minus(lookback).minusNanos(1));
        Optional<Instant> latest = s.lastAtOrBefore(now).map(ZonedDateTime::toInstant)
                .filter(slot -> slot.isAfter(servedUpTo));
        if (latest.isEmpty()) {
            return new TickDecision(Optional.empty(), List.of(), next);
        }
        return new TickDecision(latest, missedBetween(s, lastServedSlot, latest.get()), next);
    }

    /** Fire times strictly after the last served slot and strictly before the due one. */
    private static List<Instant> missedBetween(CronSchedule s, Optional<Instant> lastServed, Instant due) {
        if (lastServed.isEmpty()) {
            return List.of(); // a new deployment never missed anything
        }
        List<Instant> missed = new ArrayList<>();
        Instant cursor = lastServed.get();
        while (missed.size() < MAX_REPORTED_MISSED) {
            Optional<Instant> slot = s.nextAfter(cursor).map(ZonedDateTime::toInstant);
            if (slot.isEmpty() || !slot.get().isBefore(due)) {
                break;
            }
            missed.add(slot.get());
            cursor = slot.get();
        }
        return missed;
    }
}
