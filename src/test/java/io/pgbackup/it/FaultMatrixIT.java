package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix of the README, one test per row, each between pgbackup and a real S3 server
 * through {@link FaultProxy}: what pgbackup does, its exit code and one-line message, and what
 * is left in the store (earlier backups intact, no manifest of a failed run, no pending
 * multipart upload, no secret in the output).
 */
class FaultMatrixIT {
    static PgServer pg;
    static S3Server s3;
    static String bigDb;
    String bucket;
    FaultProxy proxy;
    StoreCheck check;
    Map<String, String> earlier;
    String earlierStem;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        bigDb = pg.createDatabase("faults");
        SampleData.big(pg, bigDb, 24);
    }

    @BeforeEach
    void earlierBackupThroughTheProxy() throws Exception {
        bucket = s3.createBucket("faults");
        proxy = new FaultProxy(s3.endpoint());
        check = new StoreCheck(bucket);
        Cli.Result r = Cli.run(env(), "backup");
        assertThat(r.code()).as(r.err()).isZero();
        earlierStem = new KeyLayout("prod/db1").manifestStem(r.out().strip()).orElseThrow();
        earlier = check.snapshot();
    }

    @AfterEach
    void closeProxy() throws Exception {
        proxy.close();
    }

    /** pgbackup through the proxy, with short timeouts so every fault resolves in seconds. */
    Map<String, String> env() {
        Map<String, String> env = BackupIT.env(bucket, bigDb);
        env.put("AWS_ENDPOINT_URL_S3", proxy.endpoint().toString());
        env.put("S3_TIMEOUT", "2s");
        env.put("S3_RETRY_FOR", "8s");
        return env;
    }

    static long seconds(long t0) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }

    // ---- uploads ---------------------------------------------------------------------------------

    @Test
    void slowDownsAndResetsOnPartUploadsAreRetriedAndTheBackupSucceeds() throws Exception {
        proxy.on("PUT", "partNumber=", new FaultProxy.Status(503, "SlowDown"), 3);
        proxy.on("PUT", "partNumber=", new FaultProxy.ResetRequestAfter(100_000), 3);
        Cli.Result r = Cli.runJar(env(), "backup"); // the real process: its log is what an operator sees
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("503 SlowDown").contains("retrying in");
        assertThat(check.manifests()).isEqualTo(2);
        check.assertClean();
        Cli.Result v = Cli.run(env(), "verify", "latest");
        assertThat(v.code()).as(v.all()).isZero();
        StoreCheck.assertNoSecrets(r);
    }

    @Test
    void aStoreThatAnswers503ForeverFailsWithinTheRetryBudgetAndLeavesNothing() throws Exception {
        proxy.on("PUT", "partNumber=", new FaultProxy.Status(503, "SlowDown"), -1);
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run(env(), "backup");
        assertThat(seconds(t0)).as("bounded by S3_RETRY_FOR").isLessThan(40);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("503 SlowDown").contains("giving up").contains("S3_RETRY_FOR");
        check.assertUnchanged(earlier);
        StoreCheck.assertNoSecrets(r);
    }

    @Test
    void aStoreThatStopsAnsweringMidUploadFailsInBoundedTimeAndTheNextRunCleansUp() throws Exception {
        FaultProxy.Rule slow = proxy.on("PUT", "partNumber=", new FaultProxy.SlowRead(4 * 1024 * 1024), -1);
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(env(), "backup"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (slow.fired() < 2) {
            assertThat(System.nanoTime()).as("no second part went out").isLessThan(deadline);
            Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        proxy.blackHoleAll(true); // the store freezes: connections accepted, never answered
        Cli.Result r = run.get(90, TimeUnit.SECONDS);
        assertThat(seconds(t0)).as("bounded: S3_TIMEOUT per attempt, S3_RETRY_FOR per request").isLessThan(60);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("did not finish within its time limit").contains("giving up");
        proxy.blackHoleAll(false);
        proxy.clearRules();
        // The store is back: the next run sweeps what the failed one could not abort.
        Cli.Result next = Cli.run(env(), "backup");
        assertThat(next.code()).as(next.err()).isZero();
        assertThat(check.manifests()).isEqualTo(2);
        check.assertClean();
    }

    @Test
    void aStoreThatIsDownAtStartFailsBeforePgDumpRuns() throws Exception {
        Path bin = Files.createTempDirectory("spy");
        Path runs = bin.resolve("runs.txt");
        io.pgbackup.pg.PgTools real = new io.pgbackup.pg.PgTools(System.getenv());
        BackupFailureIT.write(bin.resolve("pg_dump"), "[ \"$1\" = --version ] || echo dump >> " + runs + "\nexec "
                + real.find("pg_dump").orElseThrow() + " \"$@\"");
        BackupFailureIT.write(bin.resolve("pg_restore"), "exec " + real.find("pg_restore").orElseThrow() + " \"$@\"");
        Map<String, String> env = env();
        env.put("PG_BIN_DIR", bin.toString());
        proxy.close(); // nothing listens on the endpoint any more
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run(env, "backup");
        assertThat(seconds(t0)).as("connection refused is retried for S3_RETRY_FOR, then it fails").isLessThan(30);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("cannot connect to the store");
        assertThat(runs).as("pg_dump never started").doesNotExist();
        check.assertUnchanged(earlier);
    }

    @Test
    void sigtermEndsABackupBlockedOnAFrozenStoreWithinTheGracePeriod() throws Exception {
        FaultProxy.Rule slow = proxy.on("PUT", "partNumber=", new FaultProxy.SlowRead(4 * 1024 * 1024), -1);
        Map<String, String> env = env();
        env.put("S3_TIMEOUT", "60s"); // nothing times out by itself within the test: only the signal ends it
        env.put("SHUTDOWN_GRACE", "5s");
        Path errFile = Files.createTempFile("frozen", ".err");
        Process p = Cli.start(env, errFile.toFile(), "backup");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (slow.fired() < 2) {
            assertThat(p.isAlive()).as(Files.readString(errFile)).isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        proxy.blackHoleAll(true); // parts, aborts, the lock release: nothing gets an answer now
        Thread.sleep(500);
        long t0 = System.nanoTime();
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
        long took = seconds(t0);
        String err = Files.readString(errFile);
        assertThat(took).as(err).isLessThanOrEqualTo(7);
        assertThat(p.exitValue()).as(err).isEqualTo(ExitCode.INTERRUPTED.code());
        proxy.blackHoleAll(false);
        proxy.clearRules();
        assertThat(check.manifests()).as("nothing committed").isEqualTo(1);
        // the next run (another process: the lease of the dead one is taken over) cleans up
        Cli.Result next = Cli.runJar(env(), "backup");
        assertThat(next.code()).as(next.err()).isZero();
        check.assertClean();
    }

    // ---- downloads -------------------------------------------------------------------------------

    /** One reset in the middle of every download of {@code suffix}. */
    void resetEachDownloadOnce(String suffix) {
        proxy.on("GET", "\\Q" + suffix + "\\E$", new FaultProxy.ResetResponseAfter(3 * 1024 * 1024), 1);
    }

    @Test
    void aResetMidDownloadIsResumedByRestore() throws Exception {
        resetEachDownloadOnce(".dump");
        String db = pg.createDatabase("fault_restore");
        Cli.Result r = Cli.runJar(env(), "restore", "latest", "--target", pg.uri(db));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("resuming there");
        assertThat(RestoreFixtures.count(pg, db, "select count(*) from big")).isEqualTo(24L * 1024 * 1024 / 128);
    }

    @Test
    void aResetMidDownloadIsResumedByAPlainRestoreAndAParallelOne() throws Exception {
        resetEachDownloadOnce(".sql.zst");
        String plain = pg.createDatabase("fault_plain");
        Cli.Result r = Cli.runJar(env(), "restore", "latest", "--format", "plain", "--target", pg.uri(plain));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("resuming there");
        resetEachDownloadOnce(".dump");
        String jobs = pg.createDatabase("fault_jobs");
        Cli.Result j = Cli.runJar(env(), "restore", "latest", "--jobs", "2", "--target", pg.uri(jobs));
        assertThat(j.code()).as(j.err()).isZero();
        assertThat(j.err()).contains("resuming there");
    }

    @Test
    void aResetMidDownloadIsResumedByVerifyDownloadAndDrill() throws Exception {
        resetEachDownloadOnce(".dump");
        resetEachDownloadOnce(".sql.zst");
        Cli.Result v = Cli.runJar(env(), "verify", "latest");
        assertThat(v.code()).as(v.all()).isZero();
        assertThat(v.err()).contains("resuming there");

        resetEachDownloadOnce(".dump");
        Path dir = Files.createTempDirectory("fault-download");
        Cli.Result d = Cli.runJar(env(), "download", "latest", "-o", dir.toString());
        assertThat(d.code()).as(d.all()).isZero();
        assertThat(d.err()).contains("resuming there");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("pgbackup-download"));
        }

        resetEachDownloadOnce(".dump");
        Cli.Result drill = Cli.runJar(env(), "drill", "latest", "--target", pg.uri("postgres"));
        assertThat(drill.code()).as(drill.all()).isZero();
        assertThat(drill.err()).contains("resuming there");
    }

    @Test
    void aStoreThatKeepsBreakingDownloadsIsAStorageErrorNeverCorruption() throws Exception {
        proxy.on("GET", "\\.dump$", new FaultProxy.ResetResponseAfter(1024 * 1024), -1);
        String db = pg.createDatabase("fault_down");
        Cli.Result r = Cli.run(env(), "restore", "latest", "--target", pg.uri(db));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains(".dump").doesNotContain("corrupt").doesNotContain("does not match");
        Cli.Result v = Cli.run(env(), "verify", "latest");
        assertThat(v.code()).as(v.all()).isEqualTo(ExitCode.STORAGE.code());
        assertThat(v.err()).doesNotContain("corrupt");

        proxy.clearRules();
        proxy.on("GET", "\\.sql\\.zst$", new FaultProxy.ResetResponseAfter(1024 * 1024), -1);
        String plain = pg.createDatabase("fault_down_plain");
        Cli.Result p = Cli.run(env(), "restore", "latest", "--format", "plain", "--target", pg.uri(plain));
        assertThat(p.code()).as(p.err()).isEqualTo(ExitCode.STORAGE.code());
        assertThat(p.err()).contains("already committed part of the script").contains("--single-transaction");
    }

    @Test
    void aFlippedByteIsAnIntegrityErrorForVerifyAndRestore() throws Exception {
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            RestoreFixtures.flipByteInTheMiddle(store, "prod/db1/" + earlierStem + ".dump");
        }
        Cli.Result v = Cli.run(env(), "verify", "latest");
        assertThat(v.code()).as(v.all()).isEqualTo(ExitCode.INTEGRITY.code());
        String db = pg.createDatabase("fault_flip");
        Cli.Result r = Cli.run(env(), "restore", "latest", "--target", pg.uri(db));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INTEGRITY.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("does not match its manifest");
    }

    // ---- the local directory store -----------------------------------------------------------------

    @Test
    void aFullDiskIsAStorageErrorNamingThePathAndLeavesNoTempFiles() throws Exception {
        // A 3 MiB tmpfs in a private mount namespace (root, or an unprivileged user namespace).
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> unshare = root ? List.of("unshare", "-m") : List.of("unshare", "-rm");
        Path dir = Files.createTempDirectory("disk-full");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", pg.uri(bigDb));
        env.put("BACKUP_DIR", dir.toString());
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "mount -t tmpfs -o size=3m tmpfs \"$BACKUP_DIR\" || exit 99; " + javaBin + " -Xmx128m -jar "
                + Cli.jar().toAbsolutePath() + " backup; rc=$?; echo FILES:; find \"$BACKUP_DIR\" -type f; exit $rc";
        List<String> cmd = new java.util.ArrayList<>(unshare);
        cmd.addAll(List.of("sh", "-c", script));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "";
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String stderr = err.get();
        if (p.exitValue() == 99) {
            org.junit.jupiter.api.Assumptions.abort("cannot mount a tmpfs here (" + stderr.strip() + ")");
        }
        assertThat(p.exitValue()).as(stderr).isEqualTo(ExitCode.STORAGE.code());
        assertThat(stderr.lines().filter(l -> l.startsWith("pgbackup: error:"))).hasSize(1);
        assertThat(stderr).contains("no space left on " + dir);
        String files = out.substring(out.indexOf("FILES:") + 6).strip();
        assertThat(files).as("files left on the full disk").isEmpty();
    }

    // ---- credentials, bucket, concurrency ---------------------------------------------------------

    @Test
    void badCredentialsFailAtOnceSayingAccessDenied() throws Exception {
        Map<String, String> env = env();
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret-0123456789");
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run(env, "backup");
        assertThat(seconds(t0)).as("permanent: not retried").isLessThan(8);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("403").contains("access denied: check the credentials");
        StoreCheck.assertNoSecrets(r, "not-the-secret-0123456789");
        check.assertUnchanged(earlier);
    }

    @Test
    void aMissingBucketFailsAtOnceNamingIt() throws Exception {
        Map<String, String> env = env();
        env.put("S3_BUCKET", "no-such-bucket-here");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("no-such-bucket-here").contains("does not exist");
        StoreCheck.assertNoSecrets(r);
    }

    @Test
    void aSecondRunWhileOneIsRunningExitsLockedAndBothLeaveAConsistentStore() throws Exception {
        FaultProxy.Rule slow = proxy.on("PUT", "partNumber=", new FaultProxy.SlowRead(8 * 1024 * 1024), -1);
        CompletableFuture<Cli.Result> first = CompletableFuture.supplyAsync(() -> Cli.run(env(), "backup"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (slow.fired() < 1) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        Cli.Result second = Cli.run(env(), "backup");
        assertThat(second.code()).as(second.err()).isEqualTo(ExitCode.LOCKED.code());
        StoreCheck.assertOneLine(second);
        assertThat(second.err()).contains("holds the lock").contains("backup on host");
        Cli.Result r = first.get(2, TimeUnit.MINUTES);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(check.manifests()).isEqualTo(2);
        check.assertClean();
    }

    // ---- the process killed -----------------------------------------------------------------------

    /** Starts a backup through a slow link and SIGKILLs it (and its children) once parts are stored. */
    void killDashNineMidUpload(Map<String, String> env) throws Exception {
        FaultProxy.Rule slow = proxy.on("PUT", "partNumber=", new FaultProxy.SlowRead(4 * 1024 * 1024), -1);
        Process p = Cli.start(env, "backup");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (check.pendingUploads().size() < 2 || slow.fired() < 4) {
            assertThat(p.isAlive()).as("the backup ended before it could be killed").isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        children.forEach(ProcessHandle::destroyForcibly);
        proxy.clearRules();
    }

    @Test
    void pruneAfterAKillDashNineAbortsTheUploadsAndSaysSo() throws Exception {
        Map<String, String> env = env();
        killDashNineMidUpload(env);
        assertThat(check.pendingUploads()).hasSizeGreaterThanOrEqualTo(2);
        Cli.Result prune = Cli.run(env, "prune", "--keep-last", "5");
        assertThat(prune.code()).as(prune.all()).isZero();
        assertThat(prune.out()).contains("1 leftover(s)").containsPattern("aborted [2-9] pending upload\\(s\\) \\([0-9.]+ MiB\\)");
        check.assertClean();
        assertThat(check.snapshot()).isEqualTo(earlier);
    }

    @Test
    void killDashNineMidUploadLeavesDebrisThatTheNextRunRemoves() throws Exception {
        Map<String, String> env = env();
        killDashNineMidUpload(env); // an OOM kill of the container takes the children too
        assertThat(check.pendingUploads()).as("what a kill -9 leaves").isNotEmpty();
        assertThat(check.snapshot().keySet()).anyMatch(k -> k.endsWith(".inprogress"));
        Cli.Result incomplete = Cli.run(env, "list", "--incomplete");
        assertThat(incomplete.code()).as(incomplete.err()).isZero();
        assertThat(incomplete.out()).contains("pending upload(s)").contains("MiB").contains("in-progress marker");

        Cli.Result next = Cli.runJar(env, "backup");
        assertThat(next.code()).as(next.err()).isZero();
        assertThat(next.err()).contains("removed the leftovers of 1 interrupted backup(s)");
        assertThat(check.manifests()).isEqualTo(2);
        check.assertClean();
        assertThat(Cli.run(env, "list", "--incomplete").out()).doesNotContain("pending");
    }

    @Test
    void sigtermWhileTheSourceNeverAnswersReleasesTheLockAndExits130() throws Exception {
        try (BlackHolePostgres hole = new BlackHolePostgres()) {
            Map<String, String> env = env();
            env.put("PG_URI", "postgres://app:secret@127.0.0.1:" + hole.port() + "/app?connect_timeout=60");
            Path errFile = Files.createTempFile("preflight", ".err");
            Process p = Cli.start(env, errFile.toFile(), "backup");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (S3ObjectStore store = BackupIT.store(bucket)) {
                while (store.stat("prod/db1/pgbackup.lock").isEmpty()) {
                    assertThat(p.isAlive()).as(Files.readString(errFile)).isTrue();
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                assertThat(hole.accepted()).isPositive();
                long t0 = System.nanoTime();
                p.destroy(); // SIGTERM while the preflight waits on the database
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(seconds(t0)).isLessThan(10);
                String err = Files.readString(errFile);
                assertThat(p.exitValue()).as(err).isEqualTo(ExitCode.INTERRUPTED.code());
                assertThat(err).contains("pgbackup: error: interrupted by SIGTERM");
                assertThat(store.stat("prod/db1/pgbackup.lock")).as("the lock was released").isEmpty();
            }
            check.assertUnchanged(earlier);
        }
    }

    @Test
    void aSourceThatAcceptsAndNeverAnswersTimesOutWithExit3AndTheLockReleased() throws Exception {
        try (BlackHolePostgres hole = new BlackHolePostgres()) {
            Map<String, String> env = env();
            env.put("PG_URI", "postgres://app:secret@127.0.0.1:" + hole.port() + "/app?connect_timeout=3");
            long t0 = System.nanoTime();
            Cli.Result r = Cli.run(env, "backup");
            assertThat(seconds(t0)).isLessThan(20);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DATABASE.code());
            StoreCheck.assertOneLine(r);
            StoreCheck.assertNoSecrets(r, "secret@");
            check.assertUnchanged(earlier);
        }
    }

    // ---- Postgres side ------------------------------------------------------------------------------

    @Test
    void theDumpsSessionTerminatedFailsTheBackupNamingTheCause() throws Exception {
        proxy.on("PUT", "partNumber=", new FaultProxy.SlowRead(4 * 1024 * 1024), -1);
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(env(), "backup"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (RestoreFixtures.count(pg, "postgres", "select count(*) from pg_stat_activity where application_name = "
                + "'pg_dump' and datname = '" + bigDb + "'") == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        Thread.sleep(300);
        RestoreFixtures.count(pg, "postgres", "select count(pg_terminate_backend(pid)) from pg_stat_activity where "
                + "application_name = 'pg_dump' and datname = '" + bigDb + "'");
        Cli.Result r = run.get(2, TimeUnit.MINUTES);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DUMP_FAILED.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("pg_dump").containsIgnoringCase("terminat");
        check.assertUnchanged(earlier);
    }

    @Test
    void theServerGoingAwayMidDumpFailsTheBackupNamingTheCause() throws Exception {
        try (EmbeddedPgServer own = new EmbeddedPgServer(pg.major())) {
            String db = own.createDatabase("going_away");
            SampleData.big(own, db, 24);
            Map<String, String> env = env();
            env.put("PG_URI", own.uri(db));
            env.put("S3_PREFIX", "other/db");
            FaultProxy.Rule slow = proxy.on("PUT", "partNumber=", new FaultProxy.SlowRead(4 * 1024 * 1024), -1);
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(env, "backup"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (slow.fired() < 1) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            own.stop(); // the server shuts down (a restart, a failover) in the middle of the dump
            Cli.Result r = run.get(2, TimeUnit.MINUTES);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DUMP_FAILED.code());
            StoreCheck.assertOneLine(r);
            assertThat(r.err()).contains("pg_dump");
            check.assertUnchanged(earlier);
        }
    }
}
