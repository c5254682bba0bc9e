package io.pgbackup.repo;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;

/**
 * How a run takes the prefix lock: how long to wait for another run, how long a lease lasts
 * without renewal, and whether the store must first be shown to honour conditional writes.
 */
public record LockPolicy(Duration maxWait, Duration ttl, StoreProbe.Mode probe) {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    public LockPolicy(Duration maxWait, Duration ttl) {
        this(maxWait, ttl, StoreProbe.Mode.SKIP);
    }

    /**
     * Probes the store if needed, then takes the lock. Losing the lease later cancels
     * {@code cancellation} with exit code LOCKED, so the run stops before it commits.
     */
    public PrefixLock acquire(ObjectStore store, KeyLayout layout, String command, Clock clock, Cancellation cancellation) {
        StoreProbe.Result fresh = StoreProbe.ensure(store, layout, probe, clock);
        PrefixLock lock = PrefixLock.acquire(store, layout, command, maxWait, ttl, clock, cancellation,
                why -> cancellation.cancel(why, ExitCode.LOCKED));
        lock.rememberAfterCommit(fresh);
        return lock;
    }
}
