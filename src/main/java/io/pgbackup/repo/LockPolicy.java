package io.pgbackup.repo;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;
import io.pgbackup.config.Settings;
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
     * The policy of LOCK_WAIT ({@code defaultWait} when unset: 0 for runs that should fail at
     * once, longer for ticks that queue behind each other) and LOCK_TTL (10m, at least 10s);
     * {@code probe} is the store's (see {@link StoreProbe.Mode#resolve}).
     */
    public static LockPolicy resolve(Settings s, String defaultWait, StoreProbe.Mode probe) {
        Setting ttl = s.get("10m", "LOCK_TTL");
        Duration lease = ttl.asDuration(false);
        if (lease.compareTo(Duration.ofSeconds(10)) < 0) {
            throw PgBackupException.config(ttl.source() + " must be at least 10s; got '" + lease.toSeconds() + "s'");
        }
        return new LockPolicy(s.get(defaultWait, "LOCK_WAIT").asDuration(true), lease, probe);
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
