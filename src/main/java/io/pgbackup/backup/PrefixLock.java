package io.pgbackup.backup;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overlap lock of one prefix: a lease object {@code <prefix>/pgbackup.lock} created with a
 * conditional write, so of two runs only one gets it. A lease names its holder and expires; an
 * expired lease, or one left on this host by a process that is gone (a restarted container has
 * the same host name and often the same pid), is broken and the takeover is logged.
 */
public final class PrefixLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrefixLock.class);
    public static final String NAME = "pgbackup.lock";

    /** The lease as stored. */
    public record Lease(String id, String host, long pid, String command, Instant startedAt, Instant expiresAt) {}

    /** Leases held by this process: a lease naming our pid is live only if it is one of these. */
    private static final java.util.Set<String> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ObjectStore store;
    private final String key;
    private final Lease lease;

    private PrefixLock(ObjectStore store, String key, Lease lease) {
        this.store = store;
        this.key = key;
        this.lease = lease;
    }

    public static String key(KeyLayout layout) {
        return layout.root() + NAME;
    }

    /**
     * Takes the lock, waiting up to {@code wait} for a live holder to release it.
     *
     * @throws PgBackupException LOCKED naming the holder when the wait ran out
     */
    public static PrefixLock acquire(ObjectStore store, KeyLayout layout, String command, Duration wait, Duration ttl,
            Clock clock, Cancellation cancellation) {
        String key = key(layout);
        Instant deadline = clock.instant().plus(wait);
        while (true) {
            Instant now = clock.instant();
            Lease mine = new Lease(UUID.randomUUID().toString(), host(), ProcessHandle.current().pid(), command, now, now.plus(ttl));
            try {
                if (tryPut(store, key, mine)) {
                    HELD_HERE.add(mine.id());
                    return new PrefixLock(store, key, mine);
                }
                Lease held = read(store, key);
                if (held == null) {
                    continue; // released between our put and our read
                }
                String why = staleness(held, now);
                if (why != null) {
                    log.warn("breaking the stale lock of {} ({}): held by {} pid {} ({}) since {}", layout.root(), why,
                            held.host(), held.pid(), held.command(), held.startedAt());
                    delete(store, key);
                    continue;
                }
                if (!now.isBefore(deadline)) {
                    throw new PgBackupException(ExitCode.LOCKED, "another pgbackup run holds the lock on '"
                            + layout.root() + "': " + held.command() + " on host " + held.host() + " pid " + held.pid()
                            + " since " + held.startedAt() + " (lease until " + held.expiresAt()
                            + "); wait for it with --wait DURATION or retry later");
                }
                cancellation.check("while waiting for the lock");
                sleep(Duration.between(now, deadline).compareTo(Duration.ofSeconds(1)) < 0
                        ? Duration.between(now, deadline) : Duration.ofSeconds(1));
            } catch (IOException e) {
                throw new PgBackupException(ExitCode.STORAGE, "cannot take the lock " + key + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean tryPut(ObjectStore store, String key, Lease lease) throws IOException {
        try {
            store.put(key, new ByteArrayInputStream(ManifestCodec.encode(lease)));
            return true;
        } catch (ObjectExistsException e) {
            return false;
        }
    }

    static String staleness(Lease held, Instant now) {
        if (held.expiresAt() != null && held.expiresAt().isBefore(now)) {
            return "expired at " + held.expiresAt();
        }
        if (host().equals(held.host()) && !HELD_HERE.contains(held.id())
                && (held.pid() == ProcessHandle.current().pid() || ProcessHandle.of(held.pid()).isEmpty())) {
            // Our own pid on our host but not a lease of ours: an earlier incarnation of this
            // container (restarted machines keep their host name and often their pid).
            return "its process is gone";
        }
        return null;
    }

    private static Lease read(ObjectStore store, String key) throws IOException {
        try (InputStream in = store.get(key)) {
            return ManifestCodec.mapper().readValue(in, Lease.class);
        } catch (ObjectNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // An unreadable lease cannot be honoured; treat it as expired.
            return new Lease("?", "?", -1, "unreadable lease", Instant.EPOCH, Instant.EPOCH);
        }
    }

    private static void delete(ObjectStore store, String key) throws IOException {
        store.delete(key);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(10, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted while waiting for the lock");
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public Lease lease() {
        return lease;
    }

    /** Releases the lock if it is still ours (a breaker may have taken it after our lease expired). */
    @Override
    public void close() {
        HELD_HERE.remove(lease.id());
        try {
            Lease held = read(store, key);
            if (held != null && held.id().equals(lease.id())) {
                store.delete(key);
            } else if (held != null) {
                log.warn("the lock {} was taken over by {} pid {} while we held it", key, held.host(), held.pid());
            }
        } catch (IOException e) {
            log.warn("could not release the lock {}: {}", key, e.getMessage());
        }
    }
}
