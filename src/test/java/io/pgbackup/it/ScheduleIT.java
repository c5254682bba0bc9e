package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.repo.Catalog;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The daemon fires on a seconds-level cron and shuts down cleanly on SIGTERM mid-backup. */
class ScheduleIT {

    @Test
    void firesRepeatedlyThenStopsOnSigtermMidBackupLeavingNothingPartial() throws Exception {
        PgServer pg = TestRig.get().postgres();
        String db = pg.createDatabase("daemon");
        // Big enough that a backup outlasts the 1 s grace by a wide margin once its upload has
        // begun (16 MiB stopped being enough when the pipeline got faster: CI saw exit 0).
        SampleData.big(pg, db, 48);
        String bucket = TestRig.get().s3().createBucket("daemon");
        KeyLayout layout = new KeyLayout("prod/db1");
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("BACKUP_CRON", "*/2 * * * * *");
        env.put("SHUTDOWN_GRACE", "1s");
        env.put("LOG_LEVEL", "debug");
        env.put("REPORT_UPLOAD", "true");
        Path err = Files.createTempFile("daemon", ".err");
        Process p = Cli.start(env, err.toFile(), "schedule");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            Catalog catalog = new Catalog(store, layout);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (catalog.all().size() < 2) {
                assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("two scheduled backups in 120 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            // now wait until the next backup is mid-upload (an open multipart upload of a stem
            // that has no manifest yet), then stop the daemon
            while (!midUpload(store, bucket, layout)) {
                assertThat(System.nanoTime()).as("a third backup started").isLessThan(deadline);
                Thread.sleep(10);
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(err);
            assertThat(p.exitValue()).as(log).isEqualTo(ExitCode.INTERRUPTED.code());
            assertThat(log).contains("next backup at").contains("shutdown grace period over")
                    .contains("aborted multipart upload");
            // REPORT_UPLOAD: the daemon refreshed the status page after its backups
            String page = new String(RestoreFixtures.read(store, layout.reportKey()), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(page).startsWith("<!doctype html>").contains("<svg id=\"chart-size\"");

            List<Manifest> done = catalog.all();
            assertThat(done.size()).isGreaterThanOrEqualTo(2);
            assertThat(done).allSatisfy(m -> {
                assertThat(m.trigger()).isEqualTo("scheduled");
                assertThat(m.slot()).isNotNull();
                assertThat(m.slot().getEpochSecond() % 2).isZero();
            });
            assertThat(catalog.scan().incomplete()).as("nothing partial left").isEmpty();
            assertThat(store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
            assertThat(store.stat(layout.lockKey())).as("lock released").isEmpty();
        } finally {
            p.destroyForcibly();
        }
    }

    static boolean midUpload(S3ObjectStore store, String bucket, KeyLayout layout) throws Exception {
        for (var u : store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()) {
            var stem = layout.stemOf(u.key());
            if (stem.isPresent() && store.stat(layout.manifestKey(stem.get())).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void explainPrintsTheNextFiveFireTimesAndInvalidCronsFail() {
        Map<String, String> env = Cli.baseEnv();
        env.put("BACKUP_TZ", "Europe/Berlin");
        Cli.Result ok = Cli.run(env, "schedule", "--explain", "--cron", "0 */6 * * 1-5");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out().lines().filter(l -> l.startsWith("  20"))).hasSize(5);
        Cli.Result bad = Cli.run(env, "schedule", "--cron", "0 25 * * *");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--cron").contains("example of a valid one");
        env.put("BACKUP_TZ", "Nowhere/Land");
        Cli.Result zone = Cli.run(env, "schedule", "--explain", "--cron", "@daily");
        assertThat(zone.code()).isEqualTo(2);
        assertThat(zone.err()).contains("BACKUP_TZ");
    }
}
