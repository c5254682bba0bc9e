package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pgbackup verify}: sizes and SHA-256 against the manifest, readability, missing objects. */
class VerifyIT {
    static PgServer pg;
    static S3Server s3;
    static String source;
    static String bucket;
    static final KeyLayout V = new KeyLayout("v");
    static String manifestKey;
    static String stem;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        source = pg.createDatabase("verify_src");
        SampleData.awkward(pg, source);
        bucket = s3.createBucket("verify");
        manifestKey = RestoreFixtures.realBackup(bucket, "v", source);
        stem = RestoreFixtures.stemOf(V, manifestKey);
    }

    /** A bucket holding exact copies (objects included) of the real backup at the given stems under "c". */
    static String bucketWithCopies(String hint, String... stems) throws Exception {
        String b = s3.createBucket(hint);
        try (S3ObjectStore from = BackupIT.store(bucket); S3ObjectStore to = BackupIT.store(b)) {
            for (String s : stems) {
                RestoreFixtures.copy(from, V, manifestKey, to, new KeyLayout("c"),
                        new RestoreFixtures.Copy(s).withObjects());
            }
        }
        return b;
    }

    static Map<String, String> env(String b) {
        return RestoreFixtures.env(b, "c", source);
    }

    @Test
    void aGoodBackupVerifies() {
        Cli.Result r = Cli.run(RestoreFixtures.env(bucket, "v", source), "verify");
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("OK     " + stem).contains("1 backup(s) verified")
                .contains("ok   v/" + stem + ".dump").contains("pg_restore --list ok")
                .contains("ok   v/" + stem + ".sql.zst").contains("decompresses completely");
    }

    @Test
    void aFlippedByteIsCaughtAndTheObjectNamed() throws Exception {
        String b = bucketWithCopies("verify-flip", "2026/11/20/03-00-00");
        String dumpKey = "c/2026/11/20/03-00-00.dump";
        try (S3ObjectStore store = BackupIT.store(b)) {
            long before = store.stat(dumpKey).orElseThrow().size();
            RestoreFixtures.flipByteInTheMiddle(store, dumpKey);
            assertThat(store.stat(dumpKey).orElseThrow().size()).isEqualTo(before);
            assertThat(store.stat("c/2026/11/20/03-00-00.json")).isPresent();
        }
        Cli.Result r = Cli.run(env(b), "verify", "2026/11/20/03-00-00");
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(r.out()).contains("FAILED 2026/11/20/03-00-00").contains("FAIL " + dumpKey)
                .contains("SHA-256").contains("ok   c/2026/11/20/03-00-00.sql.zst");
        assertThat(r.err()).contains("failed verification");
    }

    @Test
    void aFlippedByteInTheSqlScriptIsCaught() throws Exception {
        String b = bucketWithCopies("verify-flip-sql", "2026/11/20/03-00-00");
        String sqlKey = "c/2026/11/20/03-00-00.sql.zst";
        try (S3ObjectStore store = BackupIT.store(b)) {
            RestoreFixtures.flipByteInTheMiddle(store, sqlKey);
        }
        Cli.Result r = Cli.run(env(b), "verify");
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(r.out()).contains("FAIL " + sqlKey);
    }

    @Test
    void aMissingObjectIsIntegrity() throws Exception {
        String b = bucketWithCopies("verify-missing", "2026/11/21/03-00-00");
        String sqlKey = "c/2026/11/21/03-00-00.sql.zst";
        try (S3ObjectStore store = BackupIT.store(b)) {
            store.delete(sqlKey);
        }
        Cli.Result r = Cli.run(env(b), "verify", "latest");
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(r.out()).contains("FAIL " + sqlKey).contains("missing")
                .contains("ok   c/2026/11/21/03-00-00.dump");
    }

    @Test
    void aTruncatedObjectIsIntegrity() throws Exception {
        String b = bucketWithCopies("verify-trunc", "2026/11/21/03-00-00");
        String dumpKey = "c/2026/11/21/03-00-00.dump";
        try (S3ObjectStore store = BackupIT.store(b)) {
            byte[] bytes = RestoreFixtures.read(store, dumpKey);
            RestoreFixtures.replace(store, dumpKey, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        }
        Cli.Result r = Cli.run(env(b), "verify");
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(r.out()).contains("FAIL " + dumpKey).contains("size");
    }

    @Test
    void verifyAllChecksEveryBackup() throws Exception {
        String b = bucketWithCopies("verify-all", "2026/11/20/03-00-00", "2026/11/21/03-00-00",
                "2026/11/22/03-00-00", "2026/11/23/03-00-00");
        Cli.Result good = Cli.run(env(b), "verify", "--all");
        assertThat(good.code()).as(good.all()).isZero();
        assertThat(good.out()).contains("OK     2026/11/20/03-00-00").contains("OK     2026/11/21/03-00-00")
                .contains("OK     2026/11/22/03-00-00").contains("OK     2026/11/23/03-00-00")
                .contains("4 backup(s) verified");

        Cli.Result window = Cli.run(env(b), "verify", "--all", "--since", "2026-11-21", "--until", "2026-11-22");
        assertThat(window.code()).as(window.all()).isZero();
        assertThat(window.out()).contains("2 backup(s) verified").doesNotContain("2026/11/20/")
                .doesNotContain("2026/11/23/");

        try (S3ObjectStore store = BackupIT.store(b)) {
            RestoreFixtures.flipByteInTheMiddle(store, "c/2026/11/22/03-00-00.dump");
        }
        Cli.Result bad = Cli.run(env(b), "verify", "--all");
        assertThat(bad.code()).as(bad.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(bad.out()).contains("FAILED 2026/11/22/03-00-00").contains("FAIL c/2026/11/22/03-00-00.dump")
                .contains("OK     2026/11/20/03-00-00").contains("OK     2026/11/21/03-00-00")
                .contains("OK     2026/11/23/03-00-00");
        assertThat(bad.err()).contains("1 of 4");

        // the other backups still verify one by one
        assertThat(Cli.run(env(b), "verify", "2026-11-23").code()).isZero();
    }

    @Test
    void aManifestWithAWrongHashFailsEvenIfTheDataIsFine() throws Exception {
        String b = s3.createBucket("verify-wronghash");
        try (S3ObjectStore from = BackupIT.store(bucket); S3ObjectStore to = BackupIT.store(b)) {
            RestoreFixtures.copy(from, V, manifestKey, to, new KeyLayout("c"),
                    new RestoreFixtures.Copy("2026/11/24/03-00-00").at(Instant.parse("2026-11-24T03:00:00Z"))
                            .withObjects().edit(n -> RestoreFixtures.object(n, "custom").put("sha256", "0".repeat(64))));
        }
        Cli.Result r = Cli.run(env(b), "verify");
        assertThat(r.code()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(r.out()).contains("FAIL c/2026/11/24/03-00-00.dump");
    }

    @Test
    void restoreAndDownloadRefuseACorruptedObjectToo() throws Exception {
        String b = bucketWithCopies("verify-dl", "2026/11/20/03-00-00");
        Manifest m;
        try (S3ObjectStore store = BackupIT.store(b)) {
            RestoreFixtures.flipByteInTheMiddle(store, "c/2026/11/20/03-00-00.dump");
            m = RestoreFixtures.manifest(store, "c/2026/11/20/03-00-00.json");
        }
        java.nio.file.Path out = java.nio.file.Files.createTempDirectory("pgbackup-verify-dl");
        Cli.Result dl = Cli.run(env(b), "download", "-o", out.toString());
        assertThat(dl.code()).as(dl.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(dl.err()).contains(m.object("custom").orElseThrow().key());
        assertThat(out.resolve("03-00-00.dump")).doesNotExist();
    }

    /** A damaged manifest hides its backup from list and restore; verify --all, list --incomplete and prune say so. */
    @Test
    void aCorruptManifestIsAnIntegrityFailureAndShowsAsIncompleteButIsNeverPruned() throws Exception {
        String b = bucketWithCopies("verify-corrupt", "2026/11/20/03-00-00", "2026/11/21/03-00-00");
        try (S3ObjectStore store = BackupIT.store(b)) {
            RestoreFixtures.replace(store, "c/2026/11/21/03-00-00.json",
                    "{\"formatVersion\": 1, \"stem\": \"2026/11/21/03-0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Cli.Result list = Cli.run(env(b), "list");
        assertThat(RestoreFixtures.listedStems(list.out())).containsExactly("2026/11/20/03-00-00");

        Cli.Result all = Cli.run(env(b), "verify", "--all");
        assertThat(all.code()).as(all.all()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(all.out()).contains("FAILED 2026/11/21/03-00-00").contains("manifest unreadable")
                .contains("OK     2026/11/20/03-00-00");
        assertThat(all.err()).contains("1 of 2");

        Cli.Result incomplete = Cli.run(env(b), "list", "--incomplete");
        assertThat(incomplete.out()).contains("2026/11/21/03-00-00").contains("manifest unreadable");

        Cli.Result prune = Cli.run(env(b), "prune", "--keep-last", "1");
        assertThat(prune.code()).as(prune.all()).isZero();
        assertThat(prune.out()).contains("manifest unreadable, never pruned");
        try (S3ObjectStore store = BackupIT.store(b)) {
            assertThat(store.stat("c/2026/11/21/03-00-00.dump")).as("its objects are kept for a person to look at")
                    .isPresent();
        }
    }
}
