package io.pgbackup.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.time.ExecutionTime;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A cron evaluated on wall-clock (local) date-times, with no time zone at all. Internally the
 * times are handed to cron-utils at UTC, which has no DST, so cron-utils' own handling of
 * transitions never comes into play; {@link ZonedFireTimes} maps the results to instants.
 * Fire times are whole minutes (5 fields) or whole seconds (6 fields); inputs are truncated to
 * that unit first, because cron-utils' {@code isMatch} ignores what lies below it.
 */
final class WallClock {
    private final ExecutionTime execution;
    private final ChronoUnit unit;

    WallClock(Cron cron, boolean hasSeconds) {
        this.execution = ExecutionTime.forCron(cron);
        this.unit = hasSeconds ? ChronoUnit.SECONDS : ChronoUnit.MINUTES;
    }

    /** First fire time strictly after {@code t}. */
    Optional<LocalDateTime> after(LocalDateTime t) {
        return execution.nextExecution(t.truncatedTo(unit).atZone(ZoneOffset.UTC))
                .map(ZonedDateTime::toLocalDateTime);
    }

    /** First fire time at or after {@code t}. */
    Optional<LocalDateTime> atOrAfter(LocalDateTime t) {
        LocalDateTime whole = t.truncatedTo(unit);
        if (whole.isBefore(t)) {
            return after(whole); // fire times are whole units, so the next one is past t
        }
        return matches(whole) ? Optional.of(whole) : after(whole);
    }

    /** Latest fire time at or before {@code t}; cron-utils only offers strictly-before. */
    Optional<LocalDateTime> atOrBefore(LocalDateTime t) {
        LocalDateTime whole = t.truncatedTo(unit);
        if (matches(whole)) {
            return Optional.of(whole);
        }
        return execution.lastExecution(whole.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
    }

    private boolean matches(LocalDateTime whole) {
        return execution.isMatch(whole.atZone(ZoneOffset.UTC));
    }
}
