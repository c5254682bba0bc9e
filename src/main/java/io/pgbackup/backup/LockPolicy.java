package io.pgbackup.backup;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;

/** How long to wait for the prefix lock, and how long a lease we take lasts. */
public record LockPolicy(Duration maxWait, Duration ttl) {
    public static final Duration DEFAULT_TTL = Duration.ofHours(12);

    public PrefixLock acquire(ObjectStore store, KeyLayout layout, String command, Clock clock, Cancellation c) {
        return PrefixLock.acquire(store, layout, command, maxWait, ttl, clock, c);
    }
}
