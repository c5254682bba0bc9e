package io.pgbackup.log;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.event.Level;

/**
 * Levels and format, set once by {@code Main} from {@code LOG_LEVEL} and {@code LOG_FORMAT}
 * (tests may set them through system properties {@code pgbackup.log.level}/{@code .format}).
 * Libraries that chatter at info (the AWS SDK, the HTTP client, Jetty in tests) log warnings only.
 */
public final class LogConfig {
    public enum Format {
        TEXT,
        JSON
    }

    private static volatile Level root = parse(System.getProperty("pgbackup.log.level"), Level.INFO);
    private static volatile Format format = "json".equalsIgnoreCase(System.getProperty("pgbackup.log.format"))
            ? Format.JSON : Format.TEXT;
    private static final Map<String, Level> PREFIXES = new ConcurrentHashMap<>(Map.of(
            "software.amazon", Level.WARN, "org.apache.http", Level.WARN, "org.apache.hc", Level.WARN, "org.eclipse.jetty", Level.WARN,
            "org.gaul", Level.WARN, "org.testcontainers", Level.WARN, "tc.", Level.WARN,
            "com.github.dockerjava", Level.WARN, "io.zonky", Level.WARN, "org.jclouds", Level.WARN));

    private LogConfig() {}

    /** From the environment: LOG_LEVEL (debug, info, warn, error), LOG_FORMAT (text, json). */
    public static void configure(Map<String, String> env) {
        root = parse(env.get("LOG_LEVEL"), root);
        String f = env.get("LOG_FORMAT");
        if (f != null && !f.isBlank()) {
            format = f.strip().equalsIgnoreCase("json") ? Format.JSON : Format.TEXT;
        }
    }

    /** Whether LOG_FORMAT is a known value (validated by the CLI before anything runs). */
    public static boolean valid(String f) {
        return f == null || f.isBlank() || f.strip().equalsIgnoreCase("json") || f.strip().equalsIgnoreCase("text");
    }

    public static Format format() {
        return format;
    }

    public static void format(Format f) {
        format = f;
    }

    static Level levelOf(String logger) {
        for (Map.Entry<String, Level> e : PREFIXES.entrySet()) {
            if (logger.startsWith(e.getKey())) {
                return e.getValue().toInt() > root.toInt() ? e.getValue() : root;
            }
        }
        return root;
    }

    public static void level(Level l) {
        root = l;
    }

    private static Level parse(String s, Level dflt) {
        if (s == null || s.isBlank()) {
            return dflt;
        }
        try {
            return Level.valueOf(s.strip().toUpperCase(Locale.ROOT).replace("WARNING", "WARN"));
        } catch (IllegalArgumentException e) {
            return dflt;
        }
    }
}
