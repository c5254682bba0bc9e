package io.pgbackup.retention;

import java.util.List;
import java.util.Objects;

/**
 * What the planner decided for one backup, and why.
 *
 * @param backup  the backup
 * @param keep    true to keep, false to delete
 * @param reasons every rule that keeps it, in rule order; {@code ["no rule keeps it"]} when deleted
 */
public record Decision(BackupRef backup, boolean keep, List<String> reasons) {

    /** The sole reason given for a deleted backup. */
    public static final String NO_RULE = "no rule keeps it";

    public Decision {
        Objects.requireNonNull(backup, "backup");
        reasons = List.copyOf(reasons);
        // A decision without a reason cannot be explained to the operator; refuse to build one.
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("decision for " + backup.stem() + " has no reason");
        }
    }
}
