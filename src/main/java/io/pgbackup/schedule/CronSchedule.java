package io.pgbackup.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cron expression evaluated in a time zone. Immutable and thread-safe; it never reads a clock,
 * every query takes the instant it is about.
 *
 * <p>Accepted syntax (whitespace around it is ignored): Unix 5-field cron
 * ({@code minute hour day-of-month month day-of-week}, as cron-utils' {@code CronType.UNIX}); the
 * macros {@code @hourly @daily @midnight @weekly @monthly @yearly @annually}, expanded to their
 * 5-field equivalents; and 6 fields with a leading seconds field, with the same specials as Unix.
 * cron-utils' Unix syntax has no {@code L}, {@code W}, {@code #} or {@code ?}. Anything else
 * throws {@link InvalidScheduleException}.
 *
 * <p>DST behaviour: cron-utils 9.2.1, left to itself, skips a wall-clock time that a forward
 * transition removes ({@code 30 2 * * *} in Europe/Berlin does not fire at all on 2026-03-29) and
 * is inconsistent about a repeated one (its next-execution steps from the first 02:30 on
 * 2026-10-25 straight to the next day, but its last-execution sees both 02:30 CEST and 02:30 CET,
 * which would make a tick run the backup twice). A daily backup must happen exactly once a day, so
 * this class does not let cron-utils see transitions and applies Vixie cron's rule instead:
 * <ul>
 *   <li>Fixed-time schedules (neither the minute nor the hour field starts with {@code *}): a
 *       time skipped by spring-forward fires once at the transition, so {@code 30 2 * * *} fires
 *       at 03:00 CEST (01:00Z) on 2026-03-29; a time repeated by fall-back fires only at its first
 *       occurrence, so it fires once, at 02:30 CEST (00:30Z), on 2026-10-25.</li>
 *   <li>Interval schedules (minute or hour field starting with {@code *}, e.g. {@code @hourly},
 *       {@code *}{@code /15 * * * *}): fire whenever the local clock matches, so {@code 0 * * * *}
 *       has no 02:00 on 2026-03-29 and fires at both 02:00 CEST and 02:00 CET on 2026-10-25,
 *       keeping real time between runs regular.</li>
 * </ul>
 * Zones without DST (UTC) are unaffected; use UTC for strictly periodic schedules.
 */
public final class CronSchedule {
    private final String expression;
    private final ZoneId zone;
    private final boolean hasSeconds;
    private final ZonedFireTimes fireTimes;

    private CronSchedule(String expression, ZoneId zone, CronSyntax.Parsed parsed) {
        this.expression = expression;
        this.zone = zone;
        this.hasSeconds = parsed.hasSeconds();
        String[] f = parsed.fields();
        int minute = hasSeconds ? 1 : 0;
        // Vixie cron's distinction: a '*' in minute or hour means the job is about intervals.
        boolean fixedTime = !f[minute].startsWith("*") && !f[minute + 1].startsWith("*");
        this.fireTimes = new ZonedFireTimes(new WallClock(parsed.cron(), hasSeconds), zone, fixedTime);
    }

    /**
     * Parses {@code expression} (trimmed) for evaluation in {@code zone}.
     *
     * @throws InvalidScheduleException with a one-line message if the expression is not valid
     */
    public static CronSchedule parse(String expression, ZoneId zone) {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(zone, "zone");
        String trimmed = expression.trim();
        CronSchedule s = new CronSchedule(trimmed, zone, CronSyntax.parse(trimmed));
        // "0 0 30 2 *" parses but never fires: a backup schedule that is never due is a mistake.
        // Leap days fire every 4 years (8 at century boundaries), so look that far ahead.
        Instant probe = Instant.parse("2024-01-01T00:00:00Z");
        Optional<ZonedDateTime> next = s.nextAfter(probe);
        if (next.isEmpty() || next.get().toInstant().isAfter(probe.plus(java.time.Duration.ofDays(366 * 9)))) {
            throw new InvalidScheduleException(trimmed, "it never fires (no such date): check the day-of-month "
                    + "and month fields");
        }
        return s;
    }

    /** For messages: {@code '0 3 * * *' in Europe/Berlin}. */
    public String describe() {
        return "'" + expression + "' in " + zone;
    }

    /** The zone the wall-clock fields are read in. */
    public ZoneId zone() {
        return zone;
    }

    /** The expression as given, trimmed; macros are kept as written. */
    public String expression() {
        return expression;
    }

    /** Whether the expression has the 6-field form with a leading seconds field. */
    public boolean hasSeconds() {
        return hasSeconds;
    }

    /** The first fire time strictly after {@code t}; empty if the schedule never fires again. */
    public Optional<ZonedDateTime> nextAfter(Instant t) {
        return fireTimes.after(t).map(this::inZone);
    }

    /** The latest fire time at or before {@code t} (a fire time exactly at {@code t} counts). */
    public Optional<ZonedDateTime> lastAtOrBefore(Instant t) {
        return fireTimes.atOrBefore(t).map(this::inZone);
    }

    /** Up to {@code n} consecutive fire times strictly after {@code t}, e.g. for an explanation. */
    public List<ZonedDateTime> next(Instant t, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        List<ZonedDateTime> out = new ArrayList<>(Math.min(n, 1_000));
        Instant cursor = t;
        while (out.size() < n) {
            Optional<ZonedDateTime> next = nextAfter(cursor);
            if (next.isEmpty()) {
                break;
            }
            out.add(next.get());
            cursor = next.get().toInstant();
        }
        return List.copyOf(out);
    }

    private ZonedDateTime inZone(Instant instant) {
        return instant.atZone(zone);
    }

    @Override
    public String toString() {
        return "CronSchedule[" + expression + " in " + zone + "]";
    }
}
