package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.Cancellation;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a backup can fail: each must leave no manifest, no orphan multipart upload, no new
 * object, the earlier backup intact, and exit with its code and a one-line reason.
 */
class BackupFailureIT {
    static PgServer pg;
    static S3Server s3;
    static String bigDb;
    String bucket;
    Map<String, String> earlier;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        bigDb = pg.createDatabase("big");
        SampleData.big(pg, bigDb, 24);
    }

    @BeforeEach
    void earlierBackup() throws Exception {
        bucket = s3.createBucket("failures");
        Cli.Result r = Cli.run(BackupIT.env(bucket, bigDb), "backup");
        assertThat(r.code()).as(r.err()).isZero();
        earlier = snapshot();
        // the backup's three objects, and what the store probe found (written by the first successful run)
        assertThat(earlier).hasSize(4).containsKey("prod/db1/pgbackup.store.json");
    }

    /** key → sha256 of everything in the bucket. */
    Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            for (ObjectInfo o : store.list("")) {
                try (InputStream in = store.get(o.key())) {
                    out.put(o.key(), BackupIT.sha256(in));
                }
            }
        }
        return out;
    }

    void assertNothingChanged() throws Exception {
        assertThat(snapshot()).as("objects in the bucket").isEqualTo(earlier);
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            assertThat(store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads())
                    .as("incomplete multipart uploads").isEmpty();
        }
    }

    static Path wrapperDir(String pgDumpScript, String pgRestoreScript) throws IOException {
        Path dir = Files.createTempDirectory("pgbin");
        PgTools real = new PgTools(System.getenv());
        write(dir.resolve("pg_dump"), pgDumpScript.replace("REAL", real.find("pg_dump").orElseThrow().toString()));
        write(dir.resolve("pg_restore"), pgRestoreScript.replace("REAL", real.find("pg_restore").orElseThrow().toString()));
        return dir;
    }

    static void write(Path p, String script) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static void assertOneLine(String err) {
        assertThat(err.strip()).startsWith("pgbackup: error: ").doesNotContain("\n");
    }

    @Test
    void pgDumpExitingNonZeroFailsTheBackup() throws Exception {
        Cli.Result r = Cli.run(BackupIT.env(bucket, bigDb), "backup", "--dump-options", "--table=no_such_table");
        assertThat(r.code()).isEqualTo(ExitCode.DUMP_FAILED.code());
        assertOneLine(r.err());
        assertThat(r.err()).contains("pg_dump exited with code 1").contains("no matching tables");
        assertNothingChanged();
    }

    @Test
    void aKilledPgDumpLeavesNothingBehind() throws Exception {
        // pg_dump dies by SIGKILL after 8 MB: past the first 5 MiB part, so a multipart upload is open.
        Map<String, String> env = BackupIT.env(bucket, bigDb);
        env.put("PG_BIN_DIR", wrapperDir("[ \"$1\" = --version ] && exec REAL \"$@\"\nREAL \"$@\" | head -c 8000000\nkill -9 $$", "exec REAL \"$@\"").toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).isEqualTo(ExitCode.DUMP_FAILED.code());
        assertOneLine(r.err());
        assertThat(r.err()).contains("pg_dump was killed by signal 9");
        assertNothingChanged();
    }

    @Test
    void aFailingPgRestoreFailsTheBackupAndRemovesTheFinishedArchive() throws Exception {
        Map<String, String> env = BackupIT.env(bucket, bigDb);
        env.put("PG_BIN_DIR", wrapperDir("exec REAL \"$@\"",
                "[ \"$1\" = --version ] && exec REAL \"$@\"\nREAL \"$@\"\necho 'pg_restore: error: injected failure' >&2\nexit 1").toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).isEqualTo(ExitCode.DUMP_FAILED.code());
        assertOneLine(r.err());
        assertThat(r.err()).contains("pg_restore exited with code 1").contains("injected failure");
        assertNothingChanged();
    }

    @Test
    void anUploadFailingMidStreamAbortsEverything() throws Exception {
        try (S3ObjectStore real = BackupIT.store(bucket)) {
            ObjectStore failing = new FailingStore(real, ".dump", 7 * 1024 * 1024);
            assertThatThrownBy(() -> TakeBackup.of(request(), failing, new KeyLayout("prod/db1"), System.getenv(),
                    Clock.systemUTC(), new Cancellation()))
                    .isInstanceOfSatisfying(PgBackupException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.STORAGE);
                        assertThat(e.getMessage()).contains("upload of prod/db1/").contains("injected network failure");
                    });
        }
        assertNothingChanged();
    }

    @Test
    void cancellationMidRunAbortsEverything() throws Exception {
        Cancellation cancel = new Cancellation();
        try (S3ObjectStore real = BackupIT.store(bucket)) {
            // Cancel once 6 MiB of the archive went out: a multipart upload is open by then.
            ObjectStore tripwire = new FailingStore(real, ".dump", 6 * 1024 * 1024) {
                @Override
                void trip() {
                    cancel.cancel("SIGTERM");
                }
            };
            assertThatThrownBy(() -> TakeBackup.of(request(), tripwire, new KeyLayout("prod/db1"), System.getenv(),
                    Clock.systemUTC(), cancel))
                    .isInstanceOfSatisfying(PgBackupException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.INTERRUPTED);
                        assertThat(e.getMessage()).contains("interrupted by SIGTERM");
                    });
        }
        assertNothingChanged();
    }

    @Test
    void sigtermToTheRealProcessAbortsUploadsStopsChildrenAndExits130() throws Exception {
        Map<String, String> env = BackupIT.env(bucket, bigDb);
        env.put("LOG_LEVEL", "debug");
        Path errFile = Files.createTempFile("sigterm", ".err");
        Process p = Cli.start(env, errFile.toFile(), "backup");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty()) {
                assertThat(p.isAlive()).as("backup finished before it could be interrupted").isTrue();
                assertThat(System.nanoTime()).as("no multipart upload started").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        List<ProcessHandle> children = p.descendants().collect(Collectors.toList());
        assertThat(children).as("pg_dump and pg_restore are running").hasSizeGreaterThanOrEqualTo(2);
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(errFile);
        assertThat(p.exitValue()).as(stderr).isEqualTo(ExitCode.INTERRUPTED.code());
        assertThat(stderr).contains("pgbackup: error: interrupted by SIGTERM")
                .contains("aborted multipart upload of prod/db1/");
        for (ProcessHandle c : children) {
            assertThat(c.isAlive()).as("child " + c.info().command().orElse("?") + " still running").isFalse();
        }
        assertNothingChanged();
    }

    @Test
    void twoBackupsStartedInTheSameSecondBothSucceedUnderDistinctStems() throws Exception {
        Clock sameSecond = Clock.fixed(Instant.parse("2026-11-27T03:00:00Z"), ZoneOffset.UTC);
        String small = pg.createDatabase("same_second");
        pg.exec(small, "create table t(x int); insert into t values (1)");
        BackupRequest req = BackupRequest.of(ConnectionString.parse(pg.uri(small), "PG_URI"));
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            KeyLayout same = new KeyLayout("same");
            CompletableFuture<Manifest> a = CompletableFuture.supplyAsync(() -> TakeBackup.of(req, store, same,
                    System.getenv(), sameSecond, new Cancellation()));
            CompletableFuture<Manifest> b = CompletableFuture.supplyAsync(() -> TakeBackup.of(req, store, same,
                    System.getenv(), sameSecond, new Cancellation()));
            Manifest third = TakeBackup.of(req, store, same, System.getenv(), sameSecond, new Cancellation());
            List<String> stems = List.of(a.get().stem(), b.get().stem(), third.stem());
            assertThat(stems).containsExactlyInAnyOrder("2026/11/27/03-00-00", "2026/11/27/03-00-00-2",
                    "2026/11/27/03-00-00-3");
            for (String stem : stems) {
                assertThat(store.stat("same/" + stem + ".json")).isPresent();
                assertThat(store.stat("same/" + stem + ".inprogress")).isEmpty();
            }
        }
    }

    BackupRequest request() {
        return BackupRequest.of(ConnectionString.parse(pg.uri(bigDb), "PG_URI"));
    }

    /** A decorator that breaks the stream of puts whose key ends with {@code suffix} after {@code limit} bytes. */
    static class FailingStore implements ObjectStore {
        private final ObjectStore delegate;
        private final String suffix;
        private final long limit;

        FailingStore(ObjectStore delegate, String suffix, long limit) {
            this.delegate = delegate;
            this.suffix = suffix;
            this.limit = limit;
        }

        void trip() throws IOException {
            throw new IOException("injected network failure");
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws IOException {
            if (!key.endsWith(suffix)) {
                return delegate.put(key, data);
            }
            return delegate.put(key, new InputStream() {
                long n;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (n >= limit) {
                        trip();
                    }
                    int r = data.read(b, off, (int) Math.min(len, Math.max(1, limit - n)));
                    n += Math.max(0, r);
                    return r;
                }
            });
        }

        @Override
        public InputStream get(String key) throws IOException {
            return delegate.get(key);
        }

        @Override
        public InputStream get(String key, long offset) throws IOException {
            return delegate.get(key, offset);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) throws IOException {
            return delegate.stat(key);
        }

        @Override
        public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
            return delegate.replace(key, data, expectedVersion);
        }

        @Override
        public List<io.pgbackup.storage.PendingUpload> pendingUploads(String prefix) throws IOException {
            return delegate.pendingUploads(prefix);
        }

        @Override
        public void abort(io.pgbackup.storage.PendingUpload upload) throws IOException {
            delegate.abort(upload);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }
}
