package io.pgbackup.log;

import io.pgbackup.log.LogConfig.Format;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where lines go: stderr, one whole line at a time (several threads log at once). Lines pgbackup
 * writes outside a logger (the final error line, the signal notice) go through {@link #message}
 * too, so with LOG_FORMAT=json every line on stderr is a JSON object.
 */
public final class Console {
    private static final PrintStream ERR = System.err;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneOffset.UTC);

    private Console() {}

    static void line(String s) {
        synchronized (ERR) {
            ERR.println(s);
        }
    }

    /**
     * A message for the operator, not from a logger: as is in text mode, as a JSON object (with
     * {@code exitCode} when given) in JSON mode. Returns the line.
     */
    public static String format(String level, String text, Integer exitCode, String exitName) {
        if (LogConfig.format() != Format.JSON) {
            return text;
        }
        StringBuilder b = new StringBuilder("{\"@timestamp\":\"").append(TIME.format(Instant.now()))
                .append("\",\"log.level\":\"").append(level).append("\",\"message\":").append(quote(text))
                .append(",\"log.logger\":\"pgbackup\"");
        if (exitCode != null) {
            b.append(",\"exit.code\":").append(exitCode).append(",\"exit.name\":").append(quote(exitName));
        }
        return b.append('}').toString();
    }

    /** Writes a message through {@link #format} to stderr, keeping it in the tail. */
    public static void message(String level, String text, Integer exitCode, String exitName) {
        String line = format(level, text, exitCode, exitName);
        LogTail.add(line);
        line(line);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
