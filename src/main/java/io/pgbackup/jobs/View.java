package io.pgbackup.jobs;

import java.time.Instant;

/**
 * Which store a reading command reads, and when: the primary or the second store
 * ({@code --store copy}), now or as of a past time of a versioned bucket ({@code --as-of}).
 */
public record View(boolean copy, Instant asOf) {
    public static final View NOW = new View(false, null);
}
