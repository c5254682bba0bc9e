package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.notify.Receiver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A second store: every backup reaches the first store (s3proxy) and the second (Ceph's radosgw,
 * locking its copies) from one read of pg_dump, each store with its own manifest. The second store
 * down makes the copy fail (its own exit code and events) and the backup succeed; sync completes
 * the copy; drills and restores read the second store.
 */
@Timeout(600)
class CopyIT {
    static PgServer pg;
    static String db;

    @BeforeAll
    static void data() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("copied");
        pg.exec(db, "create table t(id int primary key, v text); insert into t select g, md5(g::text) "
                + "from generate_series(1, 20000) g;");
    }

    /** The first store in s3proxy; the second in radosgw at {@code copyEndpoint}, locked (governance, 1d). */
    static Map<String, String> env(String primary, String copy, String copyEndpoint) {
        CephRgw rgw = CephRgw.get();
        Map<String, String> env = Cli.baseEnv();
        env.putAll(TestRig.get().s3().env(primary));
        env.put("PG_URI", pg.uri(db));
        env.put("S3_PREFIX", "prod");
        env.put("S3_PART_SIZE", "5MiB");
        env.put("COPY_S3_BUCKET", copy);
        env.put("COPY_S3_PREFIX", "offsite/prod");
        env.put("COPY_AWS_ENDPOINT_URL_S3", copyEndpoint);
        env.put("COPY_AWS_REGION", rgw.region());
        env.put("COPY_AWS_ACCESS_KEY_ID", rgw.accessKey());
        env.put("COPY_AWS_SECRET_ACCESS_KEY", rgw.secretKey());
        env.put("COPY_S3_CONDITIONAL_WRITES", "unsafe-skip");
        env.put("COPY_S3_CHECKSUMS", "when_required");
        env.put("COPY_S3_OBJECT_LOCK", "governance");
        env.put("COPY_S3_LOCK_FOR", "1d");
        env.put("COPY_S3_RETRY_FOR", "1s");
        return env;
    }

    static JsonNode json(byte[] body) {
        try {
            return ManifestCodec.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> keys(S3Client s3, String bucket) {
        return s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(o -> o.key()).toList();
    }

    @Test
    void everyBackupReachesBothStoresWithItsOwnManifestAndTheCopyRestores() throws Exception {
        CephRgw rgw = CephRgw.get();
        String primary = TestRig.get().s3().createBucket("first");
        String copy = rgw.createLockedBucket("second");
        Map<String, String> env = env(primary, copy, rgw.endpoint().toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        String manifestKey = r.out().strip();
        String stem = manifestKey.substring("prod/".length(), manifestKey.length() - ".json".length());

        try (S3Client s3 = rgw.client()) {
            assertThat(keys(s3, copy)).contains("offsite/prod/" + stem + ".json", "offsite/prod/" + stem + ".dump",
                    "offsite/prod/" + stem + ".sql.zst");
            ResponseBytes<?> json = s3.getObjectAsBytes(b -> b.bucket(copy).key("offsite/prod/" + stem + ".json"));
            JsonNode m = ManifestCodec.mapper().readTree(json.asByteArray());
            for (JsonNode o : m.get("objects")) {
                assertThat(o.get("key").asText()).as("the copy's manifest names the copy's keys").startsWith("offsite/prod/");
            }
            assertThat(s3.getObjectRetention(b -> b.bucket(copy).key("offsite/prod/" + stem + ".dump")).retention()
                    .modeAsString()).isEqualTo("GOVERNANCE");
        }
        Cli.Result list = Cli.run(env, "list", "--store", "copy");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains(stem);
        Cli.Result verify = Cli.run(env, "verify", "--store", "copy");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        Map<String, String> drillEnv = new HashMap<>(env);
        drillEnv.put("RESTORE_PG_URI", pg.uri("postgres"));
        Cli.Result drill = Cli.run(drillEnv, "drill", "--store", "copy");
        assertThat(drill.code()).as(drill.out() + drill.err()).isZero();
        assertThat(drill.out()).contains("\"passed\" : true");
    }

    @Test
    void theSecondStoreDownFailsTheCopyNotTheBackupAndSyncCompletesIt() throws Exception {
        CephRgw rgw = CephRgw.get();
        String primary = TestRig.get().s3().createBucket("first-down");
        String copy = rgw.createLockedBucket("second-down");
        try (Receiver rx = new Receiver()) {
            Map<String, String> down = env(primary, copy, "http://127.0.0.1:1"); // nothing listens there
            down.put("PING_URL", rx.url("/ping/backup").toString());
            down.put("COPY_PING_URL", rx.url("/ping/copy").toString());
            down.put("WEBHOOK_URL", rx.url("/hook").toString());
            Cli.Result r = Cli.run(down, "backup");
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.COPY_FAILED.code());
            String manifestKey = r.out().strip();
            assertThat(manifestKey).as("the backup's key is printed: it exists").startsWith("prod/").endsWith(".json");
            assertThat(r.err().strip()).doesNotContain("\n").contains("is complete in s3://first-down")
                    .contains("not in the second store").contains("pgbackup sync");
            assertThat(rx.requests()).extracting(Receiver.Request::path).contains("/ping/backup/start", "/ping/backup",
                    "/ping/copy/start", "/ping/copy/fail").doesNotContain("/ping/backup/fail");
            List<String> events = rx.requests().stream().filter(q -> q.path().equals("/hook"))
                    .map(q -> json(q.body()).get("event").asText()).toList();
            assertThat(events).as("the backup's success and the copy's failure, each its own event")
                    .containsExactly("backup.succeeded", "copy.failed");

            try (S3Client s3 = rgw.client()) {
                assertThat(keys(s3, copy)).as("nothing of it in the second store").isEmpty();
            }
            Map<String, String> up = env(primary, copy, rgw.endpoint().toString());
            Cli.Result dry = Cli.run(up, "sync", "--dry-run");
            assertThat(dry.out()).contains("would copy").contains("1 backup(s) to copy");
            Cli.Result sync = Cli.run(up, "sync");
            assertThat(sync.code()).as(sync.err()).isZero();
            assertThat(sync.out()).contains("copied 1 backup(s)");
            Cli.Result again = Cli.run(up, "sync");
            assertThat(again.out()).contains("copied 0 backup(s)").contains("1 already in");
            Cli.Result list = Cli.run(up, "list", "--store", "copy");
            String stem = manifestKey.substring("prod/".length(), manifestKey.length() - ".json".length());
            assertThat(list.out()).contains(stem);
            String target = pg.createDatabase("from_copy");
            Map<String, String> restoreEnv = new HashMap<>(up);
            restoreEnv.put("RESTORE_PG_URI", pg.uri(target));
            Cli.Result restore = Cli.run(restoreEnv, "restore", "--store", "copy");
            assertThat(restore.code()).as(restore.err()).isZero();
            assertThat(RestoreFixtures.count(pg, target, "select count(*) from t")).isEqualTo(20000);
        }
    }

    /** The daemon: every scheduled backup reaches both stores, and the second is drilled on its own schedule. */
    @Test
    void theDaemonCopiesEveryBackupAndDrillsTheSecondStoreOnItsOwnSchedule() throws Exception {
        String primary = TestRig.get().s3().createBucket("daemon-first");
        java.nio.file.Path copyDir = java.nio.file.Files.createTempDirectory("second-store");
        Map<String, String> env = Cli.baseEnv();
        env.putAll(TestRig.get().s3().env(primary));
        env.put("PG_URI", pg.uri(db));
        env.put("S3_PREFIX", "prod");
        env.put("COPY_BACKUP_DIR", copyDir.toString());
        env.put("BACKUP_CRON", "*/3 * * * * *");
        env.put("COPY_DRILL_CRON", "*/4 * * * * *");
        env.put("RESTORE_PG_URI", pg.uri("postgres"));
        env.put("SHUTDOWN_GRACE", "5s");
        java.nio.file.Path err = java.nio.file.Files.createTempFile("daemon-copy", ".err");
        Process p = Cli.start(env, err.toFile(), "schedule");
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
            while (true) {
                boolean drilled;
                try (var files = java.nio.file.Files.walk(copyDir)) {
                    drilled = files.anyMatch(f -> f.getFileName().toString().contains(".drill-"));
                }
                if (drilled) {
                    break;
                }
                assertThat(p.isAlive()).as(java.nio.file.Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("a drill of the second store within 120 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            p.destroy();
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String log = java.nio.file.Files.readString(err);
            assertThat(log).contains("next restore drill of the second store at");
            Map<String, String> copyList = new HashMap<>(env);
            Cli.Result second = Cli.run(copyList, "list", "--store", "copy");
            Cli.Result first = Cli.run(copyList, "list");
            assertThat(RestoreFixtures.listedStems(first.out())).isNotEmpty();
            assertThat(RestoreFixtures.listedStems(second.out())).as("every backup of the first store is in the second")
                    .containsExactlyElementsOf(RestoreFixtures.listedStems(first.out()));
        } finally {
            p.destroyForcibly();
        }
    }
}
