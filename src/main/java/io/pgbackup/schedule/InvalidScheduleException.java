package io.pgbackup.schedule;

/**
 * Thrown by {@link CronSchedule#parse} for an expression it cannot accept. The message is a single
 * line naming the expression, the reason and a valid example, fit to print as-is to an operator.
 */
public final class InvalidScheduleException extends IllegalArgumentException {
    /** A valid expression quoted in every message, so the operator sees the expected shape. */
    static final String EXAMPLE = "'0 3 * * *' (03:00 every day)";

    InvalidScheduleException(String expression, String reason) {
        super("invalid cron expression '" + oneLine(expression) + "': " + oneLine(reason)
                + "; example of a valid one: " + EXAMPLE);
    }

    // Log lines and CLI errors are parsed line by line; a stray newline from the input or from
    // cron-utils must not split the message.
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
