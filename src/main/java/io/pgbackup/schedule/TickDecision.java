package io.pgbackup.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one wake-up of a tick-mode deployment should do.
 *
 * @param dueSlot the fire time to serve now, if any; the caller records it as the last served slot
 * @param missedSlots earlier fire times that were never served and are skipped, oldest first
 *     (at most {@link TickPlanner#MAX_REPORTED_MISSED}); for reporting only
 * @param nextSlot the first fire time strictly after now, if the schedule fires again
 */
public record TickDecision(Optional<Instant> dueSlot, List<Instant> missedSlots, Optional<Instant> nextSlot) {
    public TickDecision {
        Objects.requireNonNull(dueSlot, "dueSlot");
        Objects.requireNonNull(nextSlot, "nextSlot");
        missedSlots = List.copyOf(missedSlots);
    }

    /** Whether a backup should run on this wake-up. */
    public boolean isDue() {
        return dueSlot.isPresent();
    }
}
