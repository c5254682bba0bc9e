package io.pgbackup.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a run ended: its {@link Exit}, when, one line for people ({@code summary}), what a backup
 * stored and counted ({@link Backup}, {@link Backup#NONE} for other runs), and extra fields for
 * webhooks and metrics ({@code tables}, a standby's {@code dataAsOf}).
 */
public record Outcome(Exit exit, Instant finishedAt, String summary, Backup backup, Map<String, String> extra) {

    /** The process's exit: 0/OK on success; {@code error} the one error line of a failure. */
    public record Exit(boolean success, int code, String name, String error) {
        public static final Exit OK = new Exit(true, 0, "OK", null);
    }

    /** What a backup (or the backup a drill read) was: its stem, objects, database and counted rows. */
    public record Backup(String stem, List<StoredObject> objects, String database, Long databaseBytes, Long rows) {
        public static final Backup NONE = new Backup(null, List.of(), null, null, null);
    }

    /** An object of the backup and its size. */
    public record StoredObject(String key, String format, long bytes) {}

    /** A success at {@code finishedAt}, told as {@code summary}. */
    public static Outcome success(Instant finishedAt, String summary) {
        return new Outcome(Exit.OK, finishedAt, summary, Backup.NONE, Map.of());
    }

    public static Outcome failure(int exitCode, String exitName, String error, Instant finishedAt) {
        return new Outcome(new Exit(false, exitCode, exitName, error), finishedAt, error, Backup.NONE, Map.of());
    }

    public Outcome with(Backup b) {
        return new Outcome(exit, finishedAt, summary, b, extra);
    }

    public Outcome with(Map<String, String> more) {
        return new Outcome(exit, finishedAt, summary, backup,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(more))); // in order, as webhooks send them
    }
}
