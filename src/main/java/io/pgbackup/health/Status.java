package io.pgbackup.health;

import java.time.Instant;
import java.util.List;

/**
 * The health of a prefix at {@code at}: every check's verdict, the worst one, and whether that is
 * healthy (no failure; with {@code strict}, no warning either).
 */
public record Status(Instant at, Verdict overall, boolean healthy, List<Check> checks) {
    /** One check's verdict line. */
    public record Check(String name, Verdict verdict, String detail) {}
}
