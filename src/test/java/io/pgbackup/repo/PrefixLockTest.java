package io.pgbackup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ProcessId;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.fs.FsObjectStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prefix lease on a real (directory) store: exclusive, renewed, taken over only when stale, released on stop. */
class PrefixLockTest {
    @TempDir
    Path dir;
    final KeyLayout layout = new KeyLayout("prod/db1");
    final Clock clock = Clock.systemUTC();

    PrefixLock.Lease stored(FsObjectStore store) throws Exception {
        try (InputStream in = store.get(layout.lockKey())) {
            return ManifestCodec.mapper().readValue(in, PrefixLock.Lease.class);
        }
    }

    void plant(FsObjectStore store, PrefixLock.Lease l) throws Exception {
        store.put(layout.lockKey(), new ByteArrayInputStream(ManifestCodec.encode(l)));
    }

    @Test
    void aHeldLockIsExclusiveAndNamesItsHolderUntilReleased() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        try (PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofMinutes(10), clock,
                new Cancellation(), why -> { })) {
            assertThat(stored(store).id()).isEqualTo(held.lease().id());
            assertThat(stored(store).holder()).isEqualTo(ProcessId.self());
            assertThatThrownBy(() -> PrefixLock.acquire(store, layout, "prune", Duration.ZERO, Duration.ofMinutes(10), clock,
                    new Cancellation(), why -> { }))
                    .isInstanceOfSatisfying(PgBackupException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.LOCKED);
                        assertThat(e.getMessage()).contains("'prod/db1'").contains("backup on host " + ProcessId.hostName())
                                .contains("--wait");
                    });
        }
        assertThat(store.stat(layout.lockKey())).as("released").isEmpty();
    }

    @Test
    void theHeartbeatRenewsTheLease() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        try (PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofSeconds(10), clock,
                new Cancellation(), why -> { })) {
            Instant first = stored(store).expiresAt();
            Thread.sleep(2600); // renewed every 2 s (a fifth of the TTL)
            PrefixLock.Lease now = stored(store);
            assertThat(now.id()).isEqualTo(held.lease().id());
            assertThat(now.expiresAt()).isAfter(first);
            assertThat(now.renewedAt()).isAfter(now.startedAt());
        }
    }

    @Test
    void aLeaseThatWasNotRenewedIsTakenOverByAnyHost() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        Instant past = Instant.parse("2026-01-01T00:00:00Z");
        plant(store, new PrefixLock.Lease("old", new ProcessId("another-host", 7, past), "backup", past, past,
                past.plusSeconds(600)));
        try (PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofMinutes(10), clock,
                new Cancellation(), why -> { })) {
            assertThat(stored(store).id()).isEqualTo(held.lease().id());
        }
    }

    @Test
    void aFreshLeaseOfAnotherHostIsHonouredButOneOfADeadProcessHereIsNot() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        Instant now = Instant.now();
        plant(store, new PrefixLock.Lease("live", new ProcessId("another-host", 7, now), "backup", now, now,
                now.plusSeconds(600)));
        assertThatThrownBy(() -> PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofMinutes(10), clock,
                new Cancellation(), why -> { })).isInstanceOf(PgBackupException.class);
        store.delete(layout.lockKey());
        // the same host, a pid that is gone (a killed run, a restarted container): taken over at once
        plant(store, new PrefixLock.Lease("dead", new ProcessId(ProcessId.hostName(), 999_999_999, now), "backup", now,
                now, now.plusSeconds(600)));
        try (PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofMinutes(10), clock,
                new Cancellation(), why -> { })) {
            assertThat(stored(store).id()).isEqualTo(held.lease().id());
        }
    }

    @Test
    void aLeaseTakenOverWhileHeldIsReportedAsLost() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        AtomicReference<String> lost = new AtomicReference<>();
        try (PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofSeconds(10), clock,
                new Cancellation(), lost::set)) {
            // another run replaces it (as a breaker would after the lease expired)
            var v = store.stat(layout.lockKey()).orElseThrow().version();
            Instant now = Instant.now();
            store.replace(layout.lockKey(), ManifestCodec.encode(new PrefixLock.Lease("thief",
                    new ProcessId("another-host", 7, now), "backup", now, now, now.plusSeconds(600))), v);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (lost.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(lost.get()).contains("taken over");
            assertThatThrownBy(held::check).isInstanceOfSatisfying(PgBackupException.class,
                    e -> assertThat(e.exitCode()).isEqualTo(ExitCode.LOCKED));
        }
        assertThat(stored(store).id()).as("the new holder's lease is left alone").isEqualTo("thief");
    }

    /**
     * SIGTERM while the lease's PUT is in flight: the store has the lease, and the lock registers
     * with a cancellation that already fired. Its release must still delete the lease (it once died
     * on a NullPointerException in the release thread and left the lease for its TTL).
     */
    @Test
    void aStopDuringThePutOfTheLeaseStillReleasesIt() throws Exception {
        FsObjectStore fs = new FsObjectStore(dir);
        Cancellation c = new Cancellation();
        c.register(why -> { }); // the command's own registration, as BackupCommand makes it
        ObjectStore store = new ObjectStore() {
            public io.pgbackup.storage.ObjectInfo put(String key, InputStream data) throws java.io.IOException {
                io.pgbackup.storage.ObjectInfo o = fs.put(key, data);
                c.cancel("SIGTERM"); // the signal arrives before the answer does
                return o;
            }
            public InputStream get(String key) throws java.io.IOException { return fs.get(key); }
            public InputStream get(String key, long offset) throws java.io.IOException { return fs.get(key, offset); }
            public java.util.Optional<io.pgbackup.storage.ObjectInfo> stat(String key) throws java.io.IOException {
                return fs.stat(key);
            }
            public java.util.List<io.pgbackup.storage.ObjectInfo> list(String prefix) throws java.io.IOException {
                return fs.list(prefix);
            }
            public void delete(String key) throws java.io.IOException { fs.delete(key); }
            public io.pgbackup.storage.ObjectInfo replace(String key, byte[] data, String v) throws java.io.IOException {
                return fs.replace(key, data, v);
            }
            public java.util.List<io.pgbackup.storage.PendingUpload> pendingUploads(String p) throws java.io.IOException {
                return fs.pendingUploads(p);
            }
            public void abort(io.pgbackup.storage.PendingUpload u) throws java.io.IOException { fs.abort(u); }
            public String describe() { return fs.describe(); }
        };
        // The release runs on the calling thread here, i.e. inside register(): the order that a
        // loaded machine produced with the release thread (it started before register() returned).
        PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofMinutes(10), clock, c,
                why -> { }, Runnable::run);
        assertThat(fs.stat(layout.lockKey())).as("released by the stop, without waiting for close").isEmpty();
        held.close(); // and the run's own close afterwards is harmless
        assertThat(fs.stat(layout.lockKey())).isEmpty();
    }

    @Test
    void aStopReleasesTheLockAtOnce() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        Cancellation c = new Cancellation();
        PrefixLock held = PrefixLock.acquire(store, layout, "backup", Duration.ZERO, Duration.ofMinutes(10), clock, c,
                why -> { });
        c.cancel("SIGTERM");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (store.stat(layout.lockKey()).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(store.stat(layout.lockKey())).isEmpty();
        held.close(); // idempotent
    }
}
