package io.pgbackup.repo;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ProcessId;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectChangedException;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overlap lock of one prefix: a lease object ({@link KeyLayout#lockKey}) created with a
 * conditional write, so of two runs only one gets it. The holder renews the lease while it runs
 * (a heartbeat every fifth of {@code LOCK_TTL}, a conditional replace on the lease's version, so
 * a lease that was taken over cannot be renewed); a lease that was not renewed within its TTL, or
 * one left on this host by a process that is gone, is taken over by any run with a conditional
 * replace of the stale version (of two breakers only one wins), and the takeover is logged.
 *
 * <p>Released on every exit path: on close, and at once when the run is cancelled (SIGTERM in
 * any phase). If the heartbeat finds the lease taken over, {@code onLost} tells the run, which
 * must stop before it commits anything.
 */
public final class PrefixLock implements RunLock {
    private static final Logger log = LoggerFactory.getLogger(PrefixLock.class);
    /** How long a taker waits before re-reading the lease it wrote, to catch a racing takeover. */
    static final Duration TAKEOVER_SETTLE = Duration.ofMillis(300);

    /** The lease as stored. {@code holder} is the process; {@code expiresAt} moves on with every renewal. */
    public record Lease(String id, ProcessId holder, String command, Instant startedAt, Instant renewedAt,
            Instant expiresAt) {
        /** For messages: host, pid and command. */
        String who() {
            return command + " on host " + (holder == null ? "?" : holder.host()) + " pid "
                    + (holder == null ? "?" : holder.pid());
        }
    }

    /** Leases this process holds now: a lease naming this process but not among them was left behind. */
    private static final java.util.Set<String> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ObjectStore store;
    private final KeyLayout layout;
    private final Duration ttl;
    private final Clock clock;
    private final Cancellation.Registration onCancel;
    private final ScheduledExecutorService heartbeat;
    private volatile Lease lease;
    private volatile String version;
    private volatile boolean released;
    private volatile String lost;
    private volatile StoreProbe.Result probeToRemember;

    private PrefixLock(ObjectStore store, KeyLayout layout, Lease lease, String version, Duration ttl, Clock clock,
            Cancellation cancellation, Consumer<String> onLost, java.util.concurrent.Executor releaseOn) {
        this.store = store;
        this.layout = layout;
        this.lease = lease;
        this.version = version;
        this.ttl = ttl;
        this.clock = clock;
        HELD_HERE.add(lease.id());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1000, ttl.toMillis() / 5);
        heartbeat.scheduleWithFixedDelay(() -> renew(onLost), every, every, TimeUnit.MILLISECONDS);
        // A stop releases the lock at once, whatever the run is blocked on (it may never return).
        // A stop that came while the lease's PUT was in flight runs this inside register(), before
        // onCancel is assigned: close() must not need it (it once died there, leaving the lease).
        this.onCancel = cancellation.register(why -> releaseOn.execute(this::close));
    }

    /** Where a stop's release runs: a thread of its own, so a run blocked anywhere is not waited for. */
    static final java.util.concurrent.Executor RELEASE_THREAD = r -> {
        Thread t = new Thread(r, "lock-release");
        t.setDaemon(true);
        t.start();
    };

    /**
     * Takes the lock, waiting up to {@code wait} for a live holder to release it.
     *
     * @param onLost told (once, with the reason) when the heartbeat finds the lease taken over
     * @throws PgBackupException LOCKED naming the holder when the wait ran out; STORAGE when the
     *                           store cannot be used
     */
    public static PrefixLock acquire(ObjectStore store, KeyLayout layout, String command, Duration wait, Duration ttl,
            Clock clock, Cancellation cancellation, Consumer<String> onLost) {
        return acquire(store, layout, command, wait, ttl, clock, cancellation, onLost, RELEASE_THREAD);
    }

    static PrefixLock acquire(ObjectStore store, KeyLayout layout, String command, Duration wait, Duration ttl,
            Clock clock, Cancellation cancellation, Consumer<String> onLost, java.util.concurrent.Executor releaseOn) {
        String key = layout.lockKey();
        Instant deadline = clock.instant().plus(wait);
        while (true) {
            cancellation.check("while waiting for the lock");
            Instant now = clock.instant();
            Lease mine = new Lease(UUID.randomUUID().toString(), ProcessId.self(), command, now, now, now.plus(ttl));
            try {
                Optional<ObjectInfo> put = tryPut(store, key, mine);
                if (put.isPresent()) {
                    return new PrefixLock(store, layout, mine, put.get().version(), ttl, clock, cancellation, onLost, releaseOn);
                }
                Optional<Held> held = read(store, key);
                if (held.isEmpty()) {
                    continue; // released between our put and our read
                }
                String why = staleness(held.get().lease(), now);
                if (why != null) {
                    Optional<String> v = takeOver(store, key, held.get(), mine, why, layout);
                    if (v.isPresent()) {
                        return new PrefixLock(store, layout, mine, v.get(), ttl, clock, cancellation, onLost, releaseOn);
                    }
                    continue;
                }
                if (!now.isBefore(deadline)) {
                    Lease h = held.get().lease();
                    throw new PgBackupException(ExitCode.LOCKED, "another pgbackup run holds the lock on "
                            + layout.describe() + ": " + h.who() + " since " + h.startedAt() + " (lease renewed "
                            + h.renewedAt() + ", until " + h.expiresAt() + "); wait for it with --wait DURATION or retry later");
                }
                sleep(Duration.between(now, deadline).compareTo(Duration.ofSeconds(1)) < 0
                        ? Duration.between(now, deadline) : Duration.ofSeconds(1));
            } catch (IOException e) {
                throw new PgBackupException(ExitCode.STORAGE, "cannot take the lock " + key + ": " + e.getMessage(), e);
            }
        }
    }

    private record Held(Lease lease, String version) {}

    private static Optional<ObjectInfo> tryPut(ObjectStore store, String key, Lease lease) throws IOException {
        try {
            return Optional.of(store.put(key, new ByteArrayInputStream(ManifestCodec.encode(lease))));
        } catch (ObjectExistsException e) {
            return Optional.empty();
        }
    }

    /**
     * Replaces the stale lease with ours, conditionally on its version, then reads it back after a
     * moment: a store whose conditional replace is check-then-write could let two breakers both
     * "win"; only the one whose lease is stored goes on.
     */
    private static Optional<String> takeOver(ObjectStore store, String key, Held held, Lease mine, String why,
            KeyLayout layout) throws IOException {
        Lease old = held.lease();
        try {
            store.replace(key, ManifestCodec.encode(mine), held.version());
        } catch (ObjectChangedException e) {
            return Optional.empty(); // someone else renewed, released or took it: look again
        }
        sleep(TAKEOVER_SETTLE);
        Optional<Held> now = read(store, key);
        if (now.isEmpty() || !now.get().lease().id().equals(mine.id())) {
            return Optional.empty();
        }
        log.warn("took over the stale lock of {} ({}): it was held by {} since {}", layout.describe(), why, old.who(),
                old.startedAt());
        return Optional.of(now.get().version());
    }

    /** Why a lease may be broken, or null while its holder may still be alive. */
    static String staleness(Lease held, Instant now) {
        if (held.expiresAt() == null || held.expiresAt().isBefore(now)) {
            return "not renewed since " + held.renewedAt() + ", expired at " + held.expiresAt();
        }
        if (held.holder() != null && held.holder().isDeadOnThisHost()) {
            // A restarted container keeps its host name and often its pid, but not its start time.
            return "its process is gone";
        }
        if (held.holder() != null && held.holder().equals(ProcessId.self()) && !HELD_HERE.contains(held.id())) {
            // This very process took it and could not release it (the store was down): the daemon's next job.
            return "this process left it behind (its release failed)";
        }
        return null;
    }

    private static Optional<Held> read(ObjectStore store, String key) throws IOException {
        Optional<ObjectInfo> info = store.stat(key);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = store.get(key)) {
            Lease l = ManifestCodec.mapper().readValue(in, Lease.class);
            return Optional.of(new Held(l, info.get().version()));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // An unreadable lease (an older pgbackup's, or damaged) cannot be honoured: expired.
            return Optional.of(new Held(new Lease("?", null, "unreadable lease", Instant.EPOCH, Instant.EPOCH,
                    Instant.EPOCH), info.get().version()));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(10, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted while waiting for the lock");
        }
    }

    /** Renewals so far; only the heartbeat thread writes it. */
    private volatile int renewals;

    private void renew(Consumer<String> onLost) {
        if (released || lost != null) {
            return;
        }
        Lease cur = lease;
        Instant now = clock.instant();
        Lease next = new Lease(cur.id(), cur.holder(), cur.command(), cur.startedAt(), now, now.plus(ttl));
        try {
            ObjectInfo r = store.replace(layout.lockKey(), ManifestCodec.encode(next), version);
            lease = next;
            version = r.version();
            renewals++;
        } catch (ObjectChangedException e) {
            lose("the lease on " + layout.describe() + " was taken over by another run (it was not renewed in time)",
                    onLost);
        } catch (IOException | RuntimeException e) {
            if (cur.expiresAt().isBefore(now)) {
                lose("the lease on " + layout.describe() + " expired: it could not be renewed (" + e.getMessage() + ")",
                        onLost);
            } else {
                log.warn("could not renew the lock on {} (will retry; lease valid until {}): {}", layout.describe(),
                        cur.expiresAt(), e.getMessage());
            }
        }
    }

    private void lose(String why, Consumer<String> onLost) {
        lost = why;
        log.error("{}", why);
        heartbeat.shutdown();
        onLost.accept(why);
    }

    public Lease lease() {
        return lease;
    }

    @Override
    public String leaseId() {
        return lease.id();
    }

    @Override
    public OrphanSweeper.Swept sweepOrphans(ObjectStore store, KeyLayout layout, Instant now) throws IOException {
        return OrphanSweeper.sweep(store, layout, lease, ttl, now);
    }

    public Duration ttl() {
        return ttl;
    }

    /** Why the lock was lost, or null while it is held. */
    @Override
    public String lost() {
        return lost;
    }

    void rememberAfterCommit(StoreProbe.Result fresh) {
        this.probeToRemember = fresh;
    }

    /**
     * Called once the run wrote what it came for (a manifest, a prune): stores what the store
     * probe found, which a failed run leaves unwritten.
     */
    @Override
    public void committed() {
        StoreProbe.Result r = probeToRemember;
        if (r != null) {
            probeToRemember = null;
            StoreProbe.remember(store, layout, r);
        }
    }

    /** Throws when the lease was lost: called before a run commits. */
    @Override
    public void check() {
        if (lost != null) {
            throw new PgBackupException(ExitCode.LOCKED, lost + "; nothing was committed");
        }
    }

    /** Releases the lock if it is still ours (a breaker may have taken it after our lease expired). */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        HELD_HERE.remove(lease.id());
        heartbeat.shutdownNow();
        Cancellation.Registration registration = onCancel;
        if (registration != null) { // null: this is the stop's release, run from inside register()
            registration.close();
        }
        if (lost != null) {
            return;
        }
        try {
            Optional<Held> held = read(store, layout.lockKey());
            if (held.isPresent() && held.get().lease().id().equals(lease.id())) {
                store.delete(layout.lockKey());
                if (renewals > 0) { // a long run: say that its lease kept up
                    log.info("released the lock on {}: held {} s, the lease renewed {} times (every {} s)",
                            layout.describe(), java.time.Duration.between(lease.startedAt(), clock.instant()).toSeconds(),
                            renewals, Math.max(1000, ttl.toMillis() / 5) / 1000);
                }
            } else if (held.isPresent()) {
                log.warn("the lock on {} was taken over by {} while we held it", layout.describe(),
                        held.get().lease().who());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not release the lock on {} (it expires at {}): {}", layout.describe(), lease.expiresAt(),
                    e.getMessage());
        }
    }
}
