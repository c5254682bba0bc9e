package io.pgbackup.manifest;

import java.time.Instant;
import java.util.List;

/**
 * What a restore drill did and found; stored next to the backup as
 * {@code <stem>.drill-<time>.json} and printed. {@code passed} only if every check passed.
 */
public record DrillReport(
        String backup,
        Instant backupStartedAt,
        String target,
        String scratchDatabase,
        boolean kept,
        Instant startedAt,
        long restoreMillis,
        long checksMillis,
        long totalMillis,
        List<Check> checks,
        boolean passed) {

    /** One check and its outcome. */
    public record Check(String name, boolean ok, String detail) {}
}
