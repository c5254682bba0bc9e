package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Backups the backup host cannot destroy, against a store that really enforces Object Lock and
 * versioning (Ceph's radosgw): every object of a backup is locked until its start plus
 * S3_LOCK_FOR, the host's own keys cannot delete a locked version, and what they do delete (the
 * current versions) comes back with --as-of.
 */
@Timeout(600)
class ObjectLockIT {
    static PgServer pg;
    static String db;

    @BeforeAll
    static void data() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("locked");
        pg.exec(db, "create table orders(id int primary key, note text); "
                + "insert into orders select g, 'order ' || g from generate_series(1, 5000) g; "
                + "create table items(id int, order_id int references orders(id)); "
                + "insert into items select g, 1 + g % 5000 from generate_series(1, 12000) g;");
    }

    static Map<String, String> env(CephRgw rgw, String bucket, String mode, String lockFor) {
        Map<String, String> env = Cli.baseEnv();
        env.putAll(rgw.env(bucket));
        env.put("PG_URI", pg.uri(db));
        env.put("S3_PREFIX", "prod");
        env.put("S3_PART_SIZE", "5MiB");
        if (mode != null) {
            env.put("S3_OBJECT_LOCK", mode);
            env.put("S3_LOCK_FOR", lockFor);
        }
        return env;
    }

    @Test
    void aLockedBackupSurvivesTheHostsOwnKeysAndComesBackAsOfBefore() throws Exception {
        CephRgw rgw = CephRgw.get();
        String bucket = rgw.createLockedBucket("attack");
        Map<String, String> env = env(rgw, bucket, "compliance", "1d");
        Instant before = Instant.now();
        Cli.Result backup = Cli.run(env, "backup");
        assertThat(backup.code()).as(backup.err()).isZero();
        String manifestKey = backup.out().strip();

        try (S3Client s3 = rgw.client()) {
            // every object of the backup, the manifest included, is locked until its start + 1 day
            // (the run's marker is not part of the backup: written unlocked, deleted when the run ends)
            List<ObjectVersion> versions = s3.listObjectVersions(b -> b.bucket(bucket).prefix("prod/20")).versions()
                    .stream().filter(v -> !v.key().endsWith(".inprogress")).toList();
            assertThat(versions).extracting(ObjectVersion::key).contains(manifestKey)
                    .anyMatch(k -> k.endsWith(".dump")).anyMatch(k -> k.endsWith(".sql.zst"));
            for (ObjectVersion v : versions) {
                ObjectLockRetention r = s3.getObjectRetention(b -> b.bucket(bucket).key(v.key()).versionId(v.versionId()))
                        .retention();
                assertThat(r.modeAsString()).as(v.key()).isEqualTo("COMPLIANCE");
                assertThat(Duration.between(before, r.retainUntilDate())).as(v.key())
                        .isBetween(Duration.ofHours(24).minusMinutes(1), Duration.ofHours(24).plusMinutes(5));
            }

            Cli.Result healthy = Cli.run(env, "status");
            assertThat(healthy.code()).as(healthy.out() + healthy.err()).isZero();
            assertThat(healthy.out()).contains("compliance for 1d on every object").contains("Object Lock on");

            // the attack, with the host's own keys: delete every version it can, then every key
            Instant attack = Instant.now();
            Thread.sleep(1100); // the store's clock has a second's resolution in listings
            int refused = 0;
            int deleted = 0;
            for (ObjectVersion v : s3.listObjectVersions(b -> b.bucket(bucket)).versions()) {
                try {
                    s3.deleteObject(b -> b.bucket(bucket).key(v.key()).versionId(v.versionId()));
                    deleted++;
                } catch (S3Exception e) {
                    assertThat(e.statusCode()).isEqualTo(403);
                    refused++;
                }
            }
            for (var o : s3.listObjectsV2(b -> b.bucket(bucket)).contents()) {
                s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
            }
            assertThat(refused).as("locked versions refused").isGreaterThanOrEqualTo(versions.size());
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).as("every key hidden").isEmpty();

            // pgbackup sees nothing now, and status says what happened and how to get it back
            Cli.Result list = Cli.run(env, "list");
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).doesNotContain(stemOf(manifestKey));
            Cli.Result status = Cli.run(env, "status");
            assertThat(status.code()).as(status.out()).isEqualTo(ExitCode.UNHEALTHY.code());
            assertThat(status.out()).contains("deleted").contains("not by prune").contains("--as-of");

            // as of before the attack everything is there: list, verify, restore
            String asOf = attack.plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()
                    .substring(0, 19);
            Cli.Result past = Cli.run(env, "list", "--as-of", asOf);
            assertThat(past.code()).as(past.err()).isZero();
            assertThat(past.out()).contains(stemOf(manifestKey));
            Cli.Result verify = Cli.run(env, "verify", "--as-of", asOf);
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            String target = pg.createDatabase("asof_target");
            Map<String, String> restoreEnv = new java.util.HashMap<>(env);
            restoreEnv.put("RESTORE_PG_URI", pg.uri(target));
            Cli.Result restore = Cli.run(restoreEnv, "restore", "--as-of", asOf);
            assertThat(restore.code()).as(restore.err()).isZero();
            assertThat(RestoreFixtures.count(pg, target, "select count(*) from orders")).isEqualTo(5000);
            assertThat(RestoreFixtures.count(pg, target, "select count(*) from items")).isEqualTo(12000);
        }
    }

    /** S3Mock accepts the lock headers and enforces nothing: pgbackup refuses it rather than believe in the lock. */
    @Test
    void aStoreThatDoesNotEnforceTheLockIsRefusedBeforeAnythingIsStored() throws Exception {
        S3MockServer mock = S3MockServer.get();
        String bucket = mock.createBucket("nolock");
        try (S3Client s3 = mock.client()) {
            s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
        }
        Map<String, String> env = Cli.baseEnv();
        env.putAll(mock.env(bucket));
        env.put("PG_URI", pg.uri(db));
        env.put("S3_OBJECT_LOCK", "governance");
        env.put("S3_LOCK_FOR", "7d");
        env.put("S3_CONDITIONAL_WRITES", "unsafe-skip"); // S3Mock does not hold racing writers off either
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("does not enforce Object Lock").contains("S3_OBJECT_LOCK_CHECK=unsafe-skip");
        try (S3Client s3 = mock.client()) {
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(o -> o.key())
                    .noneMatch(k -> k.endsWith(".dump") || k.endsWith(".json") && k.matches(".*\\d{2}-\\d{2}-\\d{2}.*"));
        }
        // accepted explicitly, the backup goes ahead with the headers (and says nothing it cannot keep)
        env.put("S3_OBJECT_LOCK_CHECK", "unsafe-skip");
        Cli.Result accepted = Cli.run(env, "backup");
        assertThat(accepted.code()).as(accepted.err()).isZero();
    }

    /**
     * A bucket that locks every new version by default (here for a day): everything pgbackup must
     * change or remove (lease, markers, store memo, report, drill reports, pruned backups) still works.
     */
    @Test
    void everyRunWorksOnABucketWithADefaultRetention() throws Exception {
        CephRgw rgw = CephRgw.get();
        String bucket = rgw.createLockedBucket("default");
        try (S3Client s3 = rgw.client()) {
            s3.putObjectLockConfiguration(b -> b.bucket(bucket).objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                    .rule(r -> r.defaultRetention(d -> d.mode("GOVERNANCE").days(1)))));
        }
        Map<String, String> env = env(rgw, bucket, "governance", "1d");
        for (int i = 0; i < 3; i++) {
            Cli.Result b = Cli.run(env, "backup", "--label", "run-" + i);
            assertThat(b.code()).as(b.err()).isZero();
            Thread.sleep(1100); // distinct stems
        }
        Map<String, String> drillEnv = new java.util.HashMap<>(env);
        drillEnv.put("RESTORE_PG_URI", pg.uri("postgres"));
        Cli.Result drill = Cli.run(drillEnv, "drill");
        assertThat(drill.code()).as(drill.err()).isZero();
        Cli.Result report = Cli.run(env, "report", "--upload");
        assertThat(report.code()).as(report.err()).isZero();
        Cli.Result again = Cli.run(env, "report", "--upload");
        assertThat(again.code()).as("the report replaced under a default retention: " + again.err()).isZero();
        Cli.Result status = Cli.run(env, "status");
        assertThat(status.code()).as(status.out() + status.err()).isZero();
        assertThat(status.out()).contains("governance for 1d on every object").contains("default retention governance");
        // a policy that would delete locked backups is refused; one that keeps them runs
        Cli.Result refused = Cli.run(env, "prune", "--keep-last", "1");
        assertThat(refused.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(refused.err()).contains("KEEP_WITHIN").contains("S3_LOCK_FOR 1d");
        Cli.Result prune = Cli.run(env, "prune", "--keep-last", "1", "--keep-within", "1d", "--include-labelled");
        assertThat(prune.code()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("keep 3");
        try (S3Client s3 = rgw.client()) {
            assertThat(keys(s3, bucket)).as("markers, scratch objects and the released lease gone; the report kept")
                    .noneMatch(k -> k.endsWith(".inprogress") || k.contains("pgbackup.probe-") || k.endsWith("pgbackup.lock"))
                    .contains("prod/report.html").anyMatch(k -> k.contains(".drill-"));
        }
    }

    /** status compares what the bucket does with what pgbackup expects: a lock that is not there fails. */
    @Test
    void statusFailsWhenTheBucketDoesNotLockWhatPgbackupExpectsLocked() throws Exception {
        CephRgw rgw = CephRgw.get();
        String plain = rgw.createBucket("unlocked");
        Map<String, String> env = env(rgw, plain, "compliance", "30d");
        Cli.Result status = Cli.run(env, "status", "--max-age", "1d");
        assertThat(status.code()).isEqualTo(ExitCode.UNHEALTHY.code());
        assertThat(status.out()).containsPattern("FAIL +object-lock +pgbackup locks backups \\(compliance for 30d\\)");
        String locked = rgw.createLockedBucket("unexpected");
        try (S3Client s3 = rgw.client()) {
            s3.putObjectLockConfiguration(b -> b.bucket(locked).objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                    .rule(r -> r.defaultRetention(d -> d.mode("COMPLIANCE").days(3)))));
        }
        Cli.Result off = Cli.run(env(rgw, locked, null, null), "status", "--max-age", "1d");
        assertThat(off.out()).containsPattern("FAIL +object-lock .*locks every new version, but S3_OBJECT_LOCK is off");
    }

    static String stemOf(String manifestKey) {
        return manifestKey.substring("prod/".length(), manifestKey.length() - ".json".length());
    }

    static List<String> keys(S3Client s3, String bucket) {
        List<String> out = new ArrayList<>();
        s3.listObjectsV2(b -> b.bucket(bucket)).contents().forEach(o -> out.add(o.key()));
        return out;
    }
}
