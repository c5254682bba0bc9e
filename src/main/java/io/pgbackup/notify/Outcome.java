package io.pgbackup.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a run ended. {@code exitCode}/{@code exitName} are the process's (0/OK on success);
 * {@code error} the one error line. The rest is known for backups (and partly drills): the stem,
 * the objects stored, the database and what the dump counted. {@code summary} is one line for
 * people.
 */
public record Outcome(boolean success, int exitCode, String exitName, String error, Instant finishedAt, String stem,
        List<StoredObject> objects, String database, Long databaseBytes, Long rows, String summary,
        Map<String, String> extra) {

    /** An object of the backup and its size. */
    public record StoredObject(String key, String format, long bytes) {}

    public static Outcome failure(int exitCode, String exitName, String error, Instant finishedAt) {
        return new Outcome(false, exitCode, exitName, error, finishedAt, null, List.of(), null, null, null, error, Map.of());
    }
}
