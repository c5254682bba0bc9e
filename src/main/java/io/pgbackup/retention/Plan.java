package io.pgbackup.retention;

import java.util.List;

/**
 * The outcome of {@link RetentionPlanner#plan}: one decision per input backup, newest first.
 *
 * @param decisions all decisions, newest first (by start time, then stem)
 */
public record Plan(List<Decision> decisions) {

    public Plan {
        decisions = List.copyOf(decisions);
    }

    /** Decisions to keep, newest first. */
    public List<Decision> keep() {
        return decisions.stream().filter(Decision::keep).toList();
    }

    /** Decisions to delete, newest first. */
    public List<Decision> delete() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }
}
