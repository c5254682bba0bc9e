package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.Cancellation;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The overlap lock between runs, and prune on a store with 40 backups. */
class LockAndPruneIT {
    static PgServer pg;
    static String db;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("lockprune");
        pg.exec(db, "create table t(x int); insert into t select generate_series(1, 100)");
    }

    @Test
    void aHeldLockMakesASecondBackupExitLockedOrWait() throws Exception {
        String bucket = TestRig.get().s3().createBucket("lock");
        KeyLayout layout = new KeyLayout("prod/db1");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            PrefixLock held = new LockPolicy(Duration.ZERO, Duration.ofHours(1))
                    .acquire(store, layout, "test holder", Clock.systemUTC(), new Cancellation());
            // a lease of another, live host: not stale
            Cli.Result locked = Cli.run(BackupIT.env(bucket, db), "backup");
            assertThat(locked.code()).isEqualTo(ExitCode.LOCKED.code());
            assertThat(locked.err()).contains("holds the lock").contains("test holder").contains("since");
            assertThat(new Catalog(store, layout).all()).isEmpty();

            CompletableFuture<Cli.Result> waiting = CompletableFuture.supplyAsync(
                    () -> Cli.run(BackupIT.env(bucket, db), "backup", "--wait", "1m"));
            Thread.sleep(2000);
            assertThat(waiting).isNotDone();
            held.close();
            Cli.Result waited = waiting.get();
            assertThat(waited.code()).as(waited.err()).isZero();
            assertThat(new Catalog(store, layout).all()).hasSize(1);
            assertThat(store.stat(layout.lockKey())).as("lock released").isEmpty();
        }
    }

    @Test
    void anExpiredLeaseIsBrokenAndTheTakeoverIsLogged() throws Exception {
        String bucket = TestRig.get().s3().createBucket("lock-stale");
        KeyLayout layout = new KeyLayout("prod/db1");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            PrefixLock.Lease old = new PrefixLock.Lease("x", new io.pgbackup.ProcessId("some-other-host", 4242, null),
                    "backup",
                    Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"),
                    Instant.parse("2026-01-01T12:00:00Z"));
            store.put(layout.lockKey(), new ByteArrayInputStream(ManifestCodec.encode(old)));
            Cli.Result r = Cli.run(BackupIT.env(bucket, db), "backup");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(new Catalog(store, layout).all()).hasSize(1);
        }
    }

    @Test
    void pruneOnFortyBackupsDeletesExactlyWhatThePlanSays() throws Exception {
        String bucket = TestRig.get().s3().createBucket("prune");
        KeyLayout layout = new KeyLayout("prod/db1");
        Map<String, String> env = BackupIT.env(bucket, db);
        Cli.Result real = Cli.run(env, "backup");
        assertThat(real.code()).as(real.err()).isZero();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            Manifest template = new Catalog(store, layout).all().get(0);
            // 39 more, one every 12 hours going back, each with real (small) objects
            Instant now = Instant.parse("2026-11-27T12:00:00Z");
            for (int i = 1; i < 40; i++) {
                Instant t = now.minus(Duration.ofHours(12L * i));
                String stem = KeyLayout.relativeStem(t, 1);
                List<Manifest.StoredObject> objects = new ArrayList<>();
                for (Manifest.StoredObject o : template.objects()) {
                    String key = o.format().equals("custom") ? layout.archiveKey(stem, null, false)
                            : layout.scriptKey(stem, null, o.compression(), false);
                    store.put(key, new ByteArrayInputStream(new byte[] {1, 2, 3}));
                    objects.add(new Manifest.StoredObject(key, o.format(), o.compression(), 3, o.sha256()));
                }
                Manifest m = new Manifest(new Manifest.Header(1, "pgbackup", "test"),
                        new Manifest.Run(stem, i == 30 ? "pre-migration" : null, "scheduled", t, t, t.plusSeconds(5), 5000),
                        template.source(), template.dump(), objects,
                        new Manifest.Counts(template.tables(), null), null, null);
                store.put(layout.manifestKey(stem), new ByteArrayInputStream(ManifestCodec.encode(m)));
            }
            // and the leftovers of an interrupted backup two days ago
            String orphan = KeyLayout.relativeStem(now.minus(Duration.ofDays(2)).plusSeconds(7), 1);
            store.put(layout.archiveKey(orphan, null, false), new ByteArrayInputStream(new byte[] {9}));
            assertThat(new Catalog(store, layout).all()).hasSize(40);

            Clock clock = Clock.fixed(now, ZoneOffset.UTC);
            String[] policy = {"prune", "--keep-last", "3", "--keep-daily", "7", "--keep-weekly", "2"};
            Cli.Result dry = Cli.run(env, clock, new Cancellation(), concat(policy, "--dry-run"));
            assertThat(dry.code()).as(dry.err()).isZero();
            Set<String> planKeep = stems(dry.out(), "keep");
            Set<String> planDelete = stems(dry.out(), "DELETE");
            assertThat(planKeep.size() + planDelete.size()).isEqualTo(40);
            assertThat(planKeep).contains(KeyLayout.relativeStem(now.minus(Duration.ofHours(360)), 1)); // labelled
            assertThat(dry.out()).contains("REMOVE  " + orphan);
            assertThat(new Catalog(store, layout).all()).as("dry run deletes nothing").hasSize(40);

            Cli.Result done = Cli.run(env, clock, new Cancellation(), policy);
            assertThat(done.code()).as(done.err()).isZero();
            Set<String> remaining = new Catalog(store, layout).all().stream().map(Manifest::stem)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(remaining).isEqualTo(new TreeSet<>(planKeep));
            for (ObjectInfo o : store.list(layout.root())) {
                String stem = layout.stemOf(o.key()).orElse(null);
                if (stem != null) {
                    assertThat(planKeep).as("object " + o.key() + " belongs to a kept backup").contains(stem);
                }
            }
        }
    }

    @Test
    void badRetentionInputIsAUsageErrorAndDeletesNothing() {
        Map<String, String> env = BackupIT.env("nobucket", db);
        for (String[] args : List.of(new String[] {"prune"}, new String[] {"prune", "--keep-daily", "-1"},
                new String[] {"prune", "--keep-last", "2", "--min-keep", "0"},
                new String[] {"prune", "--keep-within", "soon"}, new String[] {"prune", "--keep-last", "1", "--tz",
                        "Mars/Base"})) {
            Cli.Result r = Cli.run(env, args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip()).doesNotContain("\n");
        }
    }

    static Set<String> stems(String out, String verb) {
        return out.lines().filter(l -> l.startsWith(verb + " ")).map(l -> l.substring(8).strip().split("\\s+")[0])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }
}
