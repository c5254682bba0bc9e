package io.pgbackup.backup.take;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pipeline.age.AgeRecipients;
import io.pgbackup.pipeline.age.TestKeys;
import io.pgbackup.repo.Destination;
import io.pgbackup.repo.OrphanSweeper;
import io.pgbackup.repo.RunLock;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.PendingUpload;
import io.pgbackup.storage.fs.FsObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one commit protocol, without a database: a fake kind of backup writes two objects, and each
 * point where the transaction can fail must leave nothing listed in any destination (and never
 * touch what was there before); a lost lease must stop the commit.
 */
class BackupTransactionTest {
    private static final Instant T = Instant.parse("2026-12-06T03:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);
    private static final KeyLayout LAYOUT = new KeyLayout("prod");
    private static final String EARLIER = "prod/2026/12/05/03-00-00.json";

    @TempDir
    Path tmp;

    /** A kind that stores {@code <stem>.dump} and {@code <stem>.sql.zst} in every destination, or fails as told. */
    static final class FakeKind implements BackupKind<Map<Destination, List<Manifest.StoredObject>>> {
        final AgeRecipients recipients;
        RuntimeException failTake;
        Runnable afterTake = () -> { };
        Manifest committed;

        FakeKind(AgeRecipients recipients) {
            this.recipients = recipients;
        }

        @Override
        public String describe(String where) {
            return "fake backup to " + where;
        }

        @Override
        public Map<Destination, List<Manifest.StoredObject>> take(String stem, Fanout fanout,
                Cancellation cancellation) throws IOException {
            List<Destination> to = fanout.live();
            if (failTake != null) {
                throw failTake; // a kind that fails has cleaned up after itself (its contract)
            }
            Map<Destination, List<Manifest.StoredObject>> out = new java.util.LinkedHashMap<>();
            boolean enc = recipients != null;
            for (Destination d : to) {
                List<Manifest.StoredObject> objects = new ArrayList<>();
                for (String key : List.of(d.layout().archiveKey(stem, null, enc), d.layout().scriptKey(stem, null, "zstd",
                        enc))) {
                    ObjectInfo info;
                    try {
                        info = d.put(key, new ByteArrayInputStream(new byte[] {1, 2, 3}));
                    } catch (IOException e) {
                        if (d.required()) {
                            throw e;
                        }
                        fanout.drop(d, new PgBackupException(ExitCode.STORAGE, e.getMessage(), e));
                        break;
                    }
                    objects.add(new Manifest.StoredObject(key, key.contains(".dump") ? "custom" : "plain", "zstd",
                            info.size(), "00"));
                }
                if (!fanout.isDropped(d)) {
                    out.put(d, objects);
                }
            }
            afterTake.run();
            return out;
        }

        @Override
        public List<Long> expectedUploads() {
            return List.of(3L, 3L);
        }

        @Override
        public List<Manifest.StoredObject> objects(Map<Destination, List<Manifest.StoredObject>> taken, Destination d) {
            return taken.get(d);
        }

        @Override
        public Manifest manifest(Stamp stamp, Map<Destination, List<Manifest.StoredObject>> taken,
                List<Manifest.StoredObject> objects) {
            return new Manifest(Manifest.Header.of(recipients == null ? Manifest.FORMAT_VERSION
                    : Manifest.ENCRYPTED_FORMAT_VERSION, "test"),
                    Manifest.Run.of(stamp.stem(), null, "adhoc", null, stamp.startedAt(), stamp.finishedAt()),
                    new Manifest.Source("app", "postgresql://u:****@h/app", "17.2", 17, 1000, null),
                    new Manifest.Dump("17.2", "zstd:1", List.of(), null, null), objects,
                    new Manifest.Counts(List.of(new Manifest.Table("public", "t", 1, 1L, null)),
                            new Manifest.Rows(Manifest.Rows.DUMP_STREAM, 1, 0)),
                    recipients == null ? null : new Manifest.Encryption(Manifest.Encryption.AGE, recipients.keys()), null);
        }

        @Override
        public AgeRecipients recipients() {
            return recipients;
        }

        @Override
        public void committed(Manifest m, Map<Destination, List<Manifest.StoredObject>> taken) {
            committed = m;
        }
    }

    /** A lock that may lose its lease; counts sweeps. */
    static final class TestLock implements RunLock {
        volatile String lost;
        final AtomicInteger sweeps = new AtomicInteger();
        boolean committed;

        @Override
        public String leaseId() {
            return "lease-1";
        }

        @Override
        public String lost() {
            return lost;
        }

        @Override
        public void check() {
            if (lost != null) {
                throw new PgBackupException(ExitCode.LOCKED, "lost the lock: " + lost);
            }
        }

        @Override
        public void committed() {
            committed = true;
        }

        @Override
        public OrphanSweeper.Swept sweepOrphans(ObjectStore store, KeyLayout layout, Instant now) {
            sweeps.incrementAndGet();
            return OrphanSweeper.Swept.NOTHING;
        }

        @Override
        public void close() {
        }
    }

    /** A filesystem store whose puts of keys matching {@code failOn} fail. */
    static class Breakable implements ObjectStore {
        final FsObjectStore fs;
        Predicate<String> failOn = k -> false;

        Breakable(Path root) {
            fs = new FsObjectStore(root);
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws IOException {
            if (failOn.test(key)) {
                throw new IOException("put " + key + ": injected failure");
            }
            return fs.put(key, data);
        }

        @Override
        public InputStream get(String key) throws IOException {
            return fs.get(key);
        }

        @Override
        public InputStream get(String key, long offset) throws IOException {
            return fs.get(key, offset);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) throws IOException {
            return fs.stat(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            return fs.list(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            fs.delete(key);
        }

        @Override
        public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
            return fs.replace(key, data, expectedVersion);
        }

        @Override
        public List<PendingUpload> pendingUploads(String prefix) throws IOException {
            return fs.pendingUploads(prefix);
        }

        @Override
        public void abort(PendingUpload upload) throws IOException {
            fs.abort(upload);
        }

        @Override
        public String describe() {
            return "breakable " + fs.describe();
        }
    }

    private Breakable store(String name) throws IOException {
        Breakable s = new Breakable(tmp.resolve(name));
        s.put(EARLIER, new ByteArrayInputStream("{}".getBytes())); // an earlier backup: never touched
        return s;
    }

    private static List<String> keys(ObjectStore s) throws IOException {
        return s.list("").stream().map(ObjectInfo::key).toList();
    }

    private static void assertOnlyEarlier(ObjectStore s) throws IOException {
        assertThat(keys(s)).as("nothing of the failed backup is listed; the earlier one is untouched")
                .containsExactly(EARLIER);
    }

    @Test
    void aCommittedBackupHasItsObjectsAndItsManifestAndNoMarker() throws IOException {
        Breakable s = store("a");
        FakeKind kind = new FakeKind(null);
        TestLock lock = new TestLock();
        Manifest m = new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation()).commit(kind, lock);
        assertThat(m.stem()).isEqualTo("2026/12/06/03-00-00");
        assertThat(keys(s)).containsExactlyInAnyOrder(EARLIER, "prod/2026/12/06/03-00-00.dump",
                "prod/2026/12/06/03-00-00.sql.zst", "prod/2026/12/06/03-00-00.json");
        assertThat(ManifestCodec.decode(s.get("prod/2026/12/06/03-00-00.json"))).isEqualTo(m);
        assertThat(lock.sweeps).hasValue(1);
        assertThat(lock.committed).isTrue();
        assertThat(kind.committed).isEqualTo(m);
    }

    @Test
    void aFailedTakeLeavesNothingListedAndNamesItsCause() throws IOException {
        Breakable s = store("a");
        FakeKind kind = new FakeKind(null);
        kind.failTake = new PgBackupException(ExitCode.DUMP_FAILED, "pg_dump exited with code 1");
        TestLock lock = new TestLock();
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation())
                .commit(kind, lock)).isInstanceOfSatisfying(PgBackupException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.DUMP_FAILED));
        assertOnlyEarlier(s);
        assertThat(lock.committed).isFalse();
    }

    @Test
    void aLeaseLostDuringTheRunStopsTheCommitAndRemovesTheObjects() throws IOException {
        Breakable s = store("a");
        FakeKind kind = new FakeKind(null);
        TestLock lock = new TestLock();
        kind.afterTake = () -> lock.lost = "taken over by host-b";
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation())
                .commit(kind, lock)).isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.LOCKED);
                    assertThat(e.getMessage()).contains("taken over by host-b");
                });
        assertOnlyEarlier(s);
        assertThat(kind.committed).isNull();
    }

    @Test
    void aStopAfterTheStreamsWritesNoManifest() throws IOException {
        Breakable s = store("a");
        FakeKind kind = new FakeKind(null);
        Cancellation cancel = new Cancellation();
        kind.afterTake = () -> cancel.cancel("SIGTERM");
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, cancel)
                .commit(kind, new TestLock())).isInstanceOfSatisfying(PgBackupException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTERRUPTED));
        assertOnlyEarlier(s);
    }

    @Test
    void aStopBeforeTheStartTouchesNothing() throws IOException {
        Breakable s = store("a");
        Cancellation cancel = new Cancellation();
        cancel.cancel("SIGTERM");
        TestLock lock = new TestLock();
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, cancel)
                .commit(new FakeKind(null), lock)).isInstanceOf(PgBackupException.class);
        assertOnlyEarlier(s);
        assertThat(lock.sweeps).as("not even a sweep").hasValue(0);
    }

    @Test
    void aCatalogThatCannotBeStoredIsAStorageFailureAndLeavesNothing() throws IOException {
        Breakable s = store("a");
        s.failOn = k -> k.endsWith(".catalog.json.age");
        FakeKind kind = new FakeKind(TestKeys.generate().recipients());
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation())
                .commit(kind, new TestLock())).isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE);
                    assertThat(e.getMessage()).contains("injected failure");
                });
        assertOnlyEarlier(s);
    }

    @Test
    void aManifestThatCannotBeWrittenLeavesNothing() throws IOException {
        Breakable s = store("a");
        s.failOn = k -> k.equals("prod/2026/12/06/03-00-00.json");
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation())
                .commit(new FakeKind(null), new TestLock())).isInstanceOfSatisfying(PgBackupException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE));
        assertOnlyEarlier(s);
    }

    @Test
    void anEncryptedBackupKeepsItsCountsInTheCatalogNotInTheManifest() throws IOException {
        Breakable s = store("a");
        TestKeys key = TestKeys.generate();
        Manifest m = new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation())
                .commit(new FakeKind(key.recipients()), new TestLock());
        assertThat(m.objects()).extracting(Manifest.StoredObject::format).contains(Manifest.CATALOG_FORMAT);
        Manifest stored = ManifestCodec.decode(s.get(LAYOUT.manifestKey(m.stem())));
        assertThat(stored.tables()).as("table names only in the encrypted catalog").isEmpty();
        assertThat(keys(s)).contains(LAYOUT.catalogKey(m.stem()), "prod/2026/12/06/03-00-00.dump.age");
    }

    @Test
    void twoDestinationsEachGetEveryObjectAndTheirOwnManifestUnderOneStem() throws IOException {
        Breakable a = store("a");
        Breakable b = store("b");
        KeyLayout other = new KeyLayout("copy");
        // the second store already has a backup at this second: both take the next stem
        b.put(other.manifestKey("2026/12/06/03-00-00"), new ByteArrayInputStream("{}".getBytes()));
        b.put(other.archiveKey("2026/12/06/03-00-00", null, false), new ByteArrayInputStream(new byte[1]));
        TestLock lock = new TestLock();
        Manifest m = new BackupTransaction(List.of(new Destination(a, LAYOUT), new Destination(b, other)), CLOCK,
                new Cancellation()).commit(new FakeKind(null), lock);
        assertThat(m.stem()).isEqualTo("2026/12/06/03-00-00-2");
        assertThat(lock.sweeps).as("each destination swept").hasValue(2);
        assertThat(keys(a)).contains("prod/2026/12/06/03-00-00-2.json", "prod/2026/12/06/03-00-00-2.dump")
                .noneMatch(k -> k.endsWith(".inprogress"));
        Optional<ObjectInfo> copy = b.stat("copy/2026/12/06/03-00-00-2.json");
        assertThat(copy).isPresent();
        Manifest second = ManifestCodec.decode(b.get("copy/2026/12/06/03-00-00-2.json"));
        assertThat(second.objects()).extracting(Manifest.StoredObject::key)
                .containsExactly("copy/2026/12/06/03-00-00-2.dump", "copy/2026/12/06/03-00-00-2.sql.zst");
    }

    @Test
    void aSecondDestinationThatCannotCommitUndoesTheFirstOnesManifestToo() throws IOException {
        Breakable a = store("a");
        Breakable b = store("b");
        b.failOn = k -> k.endsWith(".json") && !k.equals(EARLIER);
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(a, LAYOUT), new Destination(b, LAYOUT)),
                CLOCK, new Cancellation()).commit(new FakeKind(null), new TestLock()))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE));
        assertOnlyEarlier(a);
        assertOnlyEarlier(b);
    }

    private static Destination copy(ObjectStore store, KeyLayout layout) {
        return new Destination(store, layout, io.pgbackup.storage.ObjectLock.OFF, Destination.Role.COPY);
    }

    @Test
    void aCopyThatFailsDuringTheStreamsIsDroppedAndTheBackupStandsInThePrimary() throws IOException {
        Breakable a = store("a");
        Breakable b = store("b");
        b.failOn = k -> k.endsWith(".sql.zst");
        KeyLayout other = new KeyLayout("copy");
        BackupTransaction.Committed c = new BackupTransaction(List.of(new Destination(a, LAYOUT), copy(b, other)), CLOCK,
                new Cancellation()).commitAll(new FakeKind(null), new TestLock());
        assertThat(keys(a)).contains("prod/2026/12/06/03-00-00.json", "prod/2026/12/06/03-00-00.dump");
        assertOnlyEarlier(b);
        assertThat(c.manifest().stem()).isEqualTo("2026/12/06/03-00-00");
        assertThat(c.copiesComplete()).isFalse();
        assertThat(c.droppedCopies().values()).singleElement().satisfies(e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE);
            assertThat(e.getMessage()).contains("injected failure");
        });
    }

    @Test
    void aCopyWhoseManifestCannotBeWrittenIsDroppedWithEverythingOfIt() throws IOException {
        Breakable a = store("a");
        Breakable b = store("b");
        b.failOn = k -> k.equals("prod/2026/12/06/03-00-00.json");
        BackupTransaction.Committed c = new BackupTransaction(List.of(new Destination(a, LAYOUT), copy(b, LAYOUT)), CLOCK,
                new Cancellation()).commitAll(new FakeKind(null), new TestLock());
        assertThat(keys(a)).contains("prod/2026/12/06/03-00-00.json");
        assertOnlyEarlier(b);
        assertThat(c.droppedCopies()).hasSize(1);
    }

    @Test
    void aPrimaryThatFailsTakesTheCopyDownWithIt() throws IOException {
        Breakable a = store("a");
        Breakable b = store("b");
        a.failOn = k -> k.equals("prod/2026/12/06/03-00-00.json");
        assertThatThrownBy(() -> new BackupTransaction(List.of(new Destination(a, LAYOUT), copy(b, LAYOUT)), CLOCK,
                new Cancellation()).commitAll(new FakeKind(null), new TestLock()))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE));
        assertOnlyEarlier(a);
        assertOnlyEarlier(b);
    }

    @Test
    void aCopyThatCannotEvenBeClaimedIsDroppedBeforeTheStreams() throws IOException {
        Breakable a = store("a");
        Breakable b = store("b");
        b.failOn = k -> true; // the store is down
        BackupTransaction.Committed c = new BackupTransaction(List.of(new Destination(a, LAYOUT), copy(b, LAYOUT)), CLOCK,
                new Cancellation()).commitAll(new FakeKind(null), new TestLock());
        assertThat(keys(a)).contains("prod/2026/12/06/03-00-00.json");
        assertOnlyEarlier(b);
        assertThat(c.droppedCopies().values()).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("cannot claim a stem"));
    }

    @Test
    void everyObjectOfALockedBackupIsWrittenWithTheRetentionOfItsStart() throws IOException {
        List<io.pgbackup.storage.Retention> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Breakable a = new Breakable(tmp.resolve("locked")) {
            @Override
            public ObjectInfo put(String key, InputStream data, io.pgbackup.storage.Put how) throws IOException {
                seen.add(how.retention());
                return put(key, data);
            }
        };
        io.pgbackup.storage.ObjectLock lock = new io.pgbackup.storage.ObjectLock(
                io.pgbackup.storage.Retention.Mode.COMPLIANCE, java.time.Duration.ofDays(30), false);
        new BackupTransaction(List.of(new Destination(a, LAYOUT, lock, Destination.Role.PRIMARY)), CLOCK,
                new Cancellation()).commitAll(new FakeKind(TestKeys.generate().recipients()), new TestLock());
        assertThat(seen).as("archive, script, catalog, manifest").hasSize(4).allSatisfy(r -> {
            assertThat(r.mode()).isEqualTo(io.pgbackup.storage.Retention.Mode.COMPLIANCE);
            assertThat(r.until()).isEqualTo(T.plus(java.time.Duration.ofDays(30)));
        });
    }

    @Test
    void withoutALockNothingIsSweptAndTheMarkerNamesNoLease() throws IOException {
        Breakable s = store("a");
        // a marker of a killed run: without a lease it cannot be told from a live run's, so it stays
        s.put(LAYOUT.markerKey("2026/12/01/00-00-00"), new ByteArrayInputStream("{}".getBytes()));
        new BackupTransaction(List.of(new Destination(s, LAYOUT)), CLOCK, new Cancellation())
                .commit(new FakeKind(null), RunLock.NONE);
        assertThat(keys(s)).contains(LAYOUT.markerKey("2026/12/01/00-00-00"), "prod/2026/12/06/03-00-00.json");
    }
}
