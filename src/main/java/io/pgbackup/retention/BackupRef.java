package io.pgbackup.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * One existing backup as the planner sees it.
 *
 * @param stem      unique name of the backup, e.g. {@code 2026/11/27/03-00-00}
 * @param startedAt when the backup started; the only time the rules look at
 * @param label     operator-given label; {@code null} or empty means unlabelled
 */
public record BackupRef(String stem, Instant startedAt, String label) {

    public BackupRef {
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** An unlabelled backup. */
    public static BackupRef of(String stem, Instant startedAt) {
        return new BackupRef(stem, startedAt, null);
    }

    /** True if the backup carries a non-empty label. */
    public boolean labelled() {
        return label != null && !label.isEmpty();
    }
}
