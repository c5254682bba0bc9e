package io.pgbackup.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restic-like duration text for every duration setting ({@code --keep-within}, LOCK_TTL,
 * S3_TIMEOUT...): {@code 14d}, {@code 36h}, {@code 90m},
 * {@code 2w}, {@code 1d12h}. Unlike restic, {@code m} means minutes (restic: months) and there is
 * no {@code y}: months and years have no fixed length, and a {@link Duration} must have one.
 * A day is always 24 hours, because keep-within compares instants, not calendar dates.
 */
public final class Durations {

    // Units largest first, each at most once: "1d12h" is fine, "12h1d" and "1d1d" are typos.
    private static final Pattern SYNTAX =
            Pattern.compile("(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private static final String EXPECTED =
            "expected a number and unit (w, d, h, m, s, largest first) such as 14d, 36h, 90m, 30s, 2w or 1d12h";

    private Durations() {}

    /** The duration {@code text} says; IllegalArgumentException naming what was expected. */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("invalid duration '" + (text == null ? "" : text)
                    + "': " + EXPECTED);
        }
        String trimmed = text.trim();
        Matcher m = SYNTAX.matcher(trimmed);
        // The pattern also matches "", which isBlank() above has already ruled out.
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid duration '" + text + "': " + EXPECTED);
        }
        try {
            Duration d = Duration.ZERO;
            d = d.plus(Duration.ofDays(Math.multiplyExact(number(m.group(1)), 7L)));
            d = d.plus(Duration.ofDays(number(m.group(2))));
            d = d.plus(Duration.ofHours(number(m.group(3))));
            d = d.plus(Duration.ofMinutes(number(m.group(4))));
            d = d.plus(Duration.ofSeconds(number(m.group(5))));
            return d;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("invalid duration '" + text + "': too large");
        }
    }

    /** Inverse of {@link #parse} for display: days, hours, minutes (seconds only if present). */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.isZero()) {
            return "0m";
        }
        StringBuilder sb = new StringBuilder();
        append(sb, d.toDays(), "d");
        append(sb, d.toHoursPart(), "h");
        append(sb, d.toMinutesPart(), "m");
        append(sb, d.toSecondsPart(), "s");
        if (sb.length() == 0) {
            // Sub-second only; never produced by parse(), but don't print an empty string.
            sb.append(d.toMillis()).append("ms");
        }
        return sb.toString();
    }

    private static long number(String digits) {
        return digits == null ? 0L : Long.parseLong(digits);
    }

    private static void append(StringBuilder sb, long value, String unit) {
        if (value != 0) {
            sb.append(value).append(unit);
        }
    }
}
