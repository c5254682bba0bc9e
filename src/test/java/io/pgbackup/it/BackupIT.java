package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.s3.S3ObjectStore;
import io.pgbackup.storage.s3.S3Settings;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Round trips through a real Postgres and a real S3 server: what a backup stores restores exactly. */
class BackupIT {
    static PgServer pg;
    static S3Server s3;
    static String source;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        source = pg.createDatabase("awkward");
        SampleData.awkward(pg, source);
    }

    static Map<String, String> env(String bucket, String db) {
        S3Server s3 = TestRig.get().s3();
        PgServer pg = TestRig.get().postgres();
        Map<String, String> env = Cli.baseEnv();
        env.putAll(s3.env(bucket));
        env.put("PG_URI", pg.uri(db));
        env.put("S3_PREFIX", "prod/db1");
        env.put("S3_PART_SIZE", "5MiB");
        return env;
    }

    static S3ObjectStore store(String bucket) {
        S3Server s3 = TestRig.get().s3();
        return new S3ObjectStore(S3Settings.of(S3Settings.Bucket.at(bucket, s3.endpoint(), s3.region()),
                S3Settings.Keys.of(s3.accessKey(), s3.secretKey())).with(new S3Settings.Parts(S3Settings.MIN_PART_SIZE, 2)));
    }

    static Manifest manifest(S3ObjectStore store, String key) throws Exception {
        try (InputStream in = store.get(key)) {
            return ManifestCodec.decode(in);
        }
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void bothFormatsRestoreTheSourceExactly() throws Exception {
        String bucket = s3.createBucket("roundtrip");
        Cli.Result r = Cli.run(env(bucket, source), "backup", "--count-rows");
        assertThat(r.code()).as(r.err()).isZero();
        String manifestKey = r.out().strip();
        assertThat(manifestKey).matches("prod/db1/\\d{4}/\\d{2}/\\d{2}/\\d{2}-\\d{2}-\\d{2}\\.json");

        try (S3ObjectStore store = store(bucket)) {
            Manifest m = manifest(store, manifestKey);
            Manifest.StoredObject dump = m.object("custom").orElseThrow();
            Manifest.StoredObject sql = m.object("plain").orElseThrow();
            assertThat(dump.key()).isEqualTo(manifestKey.replace(".json", ".dump"));
            assertThat(sql.key()).isEqualTo(manifestKey.replace(".json", ".sql.zst"));

            // pg_restore of the custom archive, streamed on stdin
            String viaDump = pg.createDatabase("from_dump");
            HostTools.Run restored = HostTools.run(pg, store.get(dump.key()),
                    "pg_restore", "--no-password", "--exit-on-error", "--dbname=" + viaDump);
            assertThat(restored.code()).as(restored.err()).isZero();
            assertThat(HostTools.canonicalDump(pg, viaDump)).isEqualTo(HostTools.canonicalDump(pg, source));

            // zstd -dc | psql of the SQL script
            String viaSql = pg.createDatabase("from_sql");
            HostTools.Run psql = HostTools.run(pg, new ZstdInputStream(store.get(sql.key())),
                    "psql", "--no-password", "-q", "-v", "ON_ERROR_STOP=1", "--dbname=" + viaSql);
            assertThat(psql.code()).as(psql.err()).isZero();
            assertThat(HostTools.canonicalDump(pg, viaSql)).isEqualTo(HostTools.canonicalDump(pg, source));
        }
    }

    @Test
    void manifestRecordsWhatWasStoredWithHashesOfTheStoredBytes() throws Exception {
        String bucket = s3.createBucket("manifest");
        Cli.Result r = Cli.run(env(bucket, source), "backup", "--count-rows", "--label", "pre-migration");
        assertThat(r.code()).as(r.err()).isZero();
        try (S3ObjectStore store = store(bucket)) {
            Manifest m = manifest(store, r.out().strip());
            assertThat(m.formatVersion()).isEqualTo(Manifest.FORMAT_VERSION);
            assertThat(m.label()).isEqualTo("pre-migration");
            assertThat(m.trigger()).isEqualTo("adhoc");
            assertThat(m.source().database()).isEqualTo(source);
            assertThat(m.source().serverMajor()).isEqualTo(pg.major());
            assertThat(m.source().sizeBytes()).isPositive();
            assertThat(m.source().uri()).contains("****").doesNotContain(PgServer.PASSWORD)
                    .doesNotContain(java.net.URLEncoder.encode(PgServer.PASSWORD, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(m.dump().pgDumpVersion()).startsWith(String.valueOf(TestRig.defaultMajor()));
            assertThat(m.dump().compression()).isEqualTo(TestRig.defaultMajor() >= 16 ? "zstd:1" : "gzip:1");
            assertThat(m.finishedAt()).isAfterOrEqualTo(m.startedAt());
            assertThat(m.tables()).extracting(t -> t.schema() + "." + t.name()).contains(
                    "Sales Ünïcode.Order Items", "audit.log", "public.measurements", "public.measurements_2026");
            Manifest.Table items = m.tables().stream().filter(t -> t.name().equals("Order Items")).findFirst().orElseThrow();
            assertThat(items.rowCount()).isEqualTo(5L);
            assertThat(m.objects()).hasSize(2);
            for (Manifest.StoredObject o : m.objects()) {
                ObjectInfo info = store.stat(o.key()).orElseThrow();
                assertThat(info.size()).isEqualTo(o.bytes());
                try (InputStream in = store.get(o.key())) {
                    assertThat(sha256(in)).as(o.key()).isEqualTo(o.sha256());
                }
            }
        }
    }

    @Test
    void emptyDatabaseAndEachSingleFormatWork() throws Exception {
        String empty = pg.createDatabase("empty");
        String bucket = s3.createBucket("empty");
        Cli.Result both = Cli.run(env(bucket, empty), "backup");
        assertThat(both.code()).as(both.err()).isZero();
        Cli.Result custom = Cli.run(env(bucket, empty), "backup", "--format", "custom");
        assertThat(custom.code()).as(custom.err()).isZero();
        Cli.Result plainGz = Cli.run(env(bucket, empty), "backup", "--format", "plain", "--sql-compression", "gzip");
        assertThat(plainGz.code()).as(plainGz.err()).isZero();
        try (S3ObjectStore store = store(bucket)) {
            assertThat(manifest(store, both.out().strip()).tables()).isEmpty();
            assertThat(manifest(store, custom.out().strip()).objects()).extracting(Manifest.StoredObject::format)
                    .containsExactly("custom");
            Manifest gz = manifest(store, plainGz.out().strip());
            assertThat(gz.objects()).extracting(Manifest.StoredObject::key).singleElement().asString().endsWith(".sql.gz");
            // the three stems are distinct even when taken within one second
            assertThat(List.of(both.out(), custom.out(), plainGz.out())).doesNotHaveDuplicates();
        }
    }

    @Test
    void localDirectoryIsTheDefaultStoreWithTheSameLayout() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pgbackup-local");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", "  \"" + pg.uri(source) + "\"\n");
        env.put("BACKUP_DIR", dir.toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        java.nio.file.Path dump = dir.resolve(r.out().strip().replace(".json", ".dump"));
        assertThat(dump).exists();
        String target = pg.createDatabase("from_local");
        HostTools.Run restored = HostTools.run(pg, null, "pg_restore", "--no-password", "--exit-on-error",
                "--dbname=" + target, dump.toString());
        assertThat(restored.code()).as(restored.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, target)).isEqualTo(HostTools.canonicalDump(pg, source));
    }

    @Test
    void pgRestoreJobsReadsTheArchive() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pgbackup-jobs");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", pg.uri(source));
        env.put("BACKUP_DIR", dir.toString());
        Cli.Result r = Cli.run(env, "backup", "--format", "custom");
        assertThat(r.code()).as(r.err()).isZero();
        String target = pg.createDatabase("jobs");
        HostTools.Run restored = HostTools.run(pg, null, "pg_restore", "--no-password", "-j", "2", "--exit-on-error",
                "--dbname=" + target, dir.resolve(r.out().strip().replace(".json", ".dump")).toString());
        assertThat(restored.code()).as(restored.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, target)).isEqualTo(HostTools.canonicalDump(pg, source));
    }

    @Test
    void aServerNewerThanPgDumpIsRefusedWithItsOwnExitCode() throws Exception {
        int newer = TestRig.get().newerMajor().orElseThrow(() ->
                new org.opentest4j.TestAbortedException("local pg_dump is already the newest major"));
        PgServer pg17 = TestRig.get().postgres(newer);
        String bucket = s3.createBucket("newer");
        Map<String, String> env = Cli.baseEnv();
        env.putAll(s3.env(bucket));
        env.put("PG_URI", pg17.uri("postgres"));
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).isEqualTo(ExitCode.VERSION_MISMATCH.code());
        assertThat(r.err().strip()).doesNotContain("\n").contains("PostgreSQL " + newer).contains("pg_dump " + TestRig.defaultMajor() + ".")
                .contains("PG_MAJOR=" + newer);
        try (S3ObjectStore store = store(bucket)) {
            assertThat(store.list("")).isEmpty();
        }
    }

    @Test
    void wrongPasswordIsADatabaseErrorAndWritesNothing() throws Exception {
        String bucket = s3.createBucket("wrongpw");
        Map<String, String> env = env(bucket, source);
        env.put("PG_URI", "postgres://" + PgServer.USER + ":not-the-password@" + pg.host() + ":" + pg.port() + "/" + source);
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(r.err()).contains("password authentication failed").doesNotContain("not-the-password");
        try (S3ObjectStore store = store(bucket)) {
            assertThat(store.list("")).isEmpty();
        }
    }
}
