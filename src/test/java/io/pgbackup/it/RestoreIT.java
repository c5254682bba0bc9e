package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pgbackup restore} into a real Postgres from a real S3 server. */
class RestoreIT {
    static PgServer pg;
    static S3Server s3;
    static String source;
    static String sourceDump;
    static String bucket;
    static final KeyLayout R = new KeyLayout("r");
    static String manifestKey;
    static String stem;

    static final String RELATIONS = "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            + "where c.relkind in ('r','p','v','m','S','f') and n.nspname not in ('pg_catalog','information_schema') "
            + "and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'";

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        source = pg.createDatabase("restore_src");
        SampleData.awkward(pg, source);
        sourceDump = HostTools.canonicalDump(pg, source);
        bucket = s3.createBucket("restore");
        manifestKey = RestoreFixtures.realBackup(bucket, "r", source, "--count-rows");
        stem = RestoreFixtures.stemOf(R, manifestKey);
    }

    static Map<String, String> env() {
        return RestoreFixtures.env(bucket, "r", source);
    }

    static Cli.Result restore(Map<String, String> env, String... args) {
        List<String> a = new ArrayList<>(List.of("restore"));
        a.addAll(List.of(args));
        return Cli.run(env, a.toArray(String[]::new));
    }

    static void assertReproducesSource(String db) throws Exception {
        assertThat(HostTools.canonicalDump(pg, db)).isEqualTo(sourceDump);
    }

    @Test
    void streamingRestoreReproducesTheSource() throws Exception {
        String target = pg.createDatabase("rs_stream");
        Cli.Result r = restore(env(), "--target", pg.uri(target));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("restored " + stem + " into").contains(target)
                .doesNotContain(PgServer.PASSWORD);
        assertReproducesSource(target);
    }

    @Test
    void parallelJobsReproduceTheSource() throws Exception {
        String target = pg.createDatabase("rs_jobs");
        Cli.Result r = restore(env(), "latest", "--jobs", "2", "--target", pg.uri(target),
                "--temp-dir", System.getProperty("java.io.tmpdir"));
        assertThat(r.code()).as(r.err()).isZero();
        assertReproducesSource(target);
    }

    @Test
    void plainFormatReproducesTheSource() throws Exception {
        String target = pg.createDatabase("rs_plain");
        Cli.Result r = restore(env(), stem, "--format", "plain", "--target", pg.uri(target));
        assertThat(r.code()).as(r.err()).isZero();
        assertReproducesSource(target);
    }

    @Test
    void targetFromRestorePgUri() throws Exception {
        String target = pg.createDatabase("rs_env");
        Map<String, String> env = env();
        env.put("RESTORE_PG_URI", pg.uri(target));
        Cli.Result r = restore(env);
        assertThat(r.code()).as(r.err()).isZero();
        assertReproducesSource(target);
    }

    @Test
    void aNonEmptyTargetIsRefusedUnlessClean() throws Exception {
        String target = pg.createDatabase("rs_nonempty");
        pg.exec(target, "create table unrelated (id int); insert into unrelated values (1);");
        Cli.Result refused = restore(env(), "--target", pg.uri(target));
        assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(refused.err()).contains("not empty").contains("--clean");
        assertThat(RestoreFixtures.count(pg, target, RELATIONS)).isEqualTo(1);

        Cli.Result plain = restore(env(), "--format", "plain", "--target", pg.uri(target));
        assertThat(plain.code()).as(plain.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(RestoreFixtures.count(pg, target, RELATIONS)).isEqualTo(1);

        // a restored copy is non-empty too; --clean replaces the backup's objects
        String copy = pg.createDatabase("rs_clean");
        assertThat(restore(env(), "--target", pg.uri(copy)).code()).isZero();
        pg.exec(copy, "delete from \"Sales Ünïcode\".\"Order Items\" where qty > 2; drop view public.big_orders;");
        Cli.Result again = restore(env(), "--target", pg.uri(copy));
        assertThat(again.code()).isEqualTo(ExitCode.USAGE.code());
        Cli.Result clean = restore(env(), "--clean", "--target", pg.uri(copy));
        assertThat(clean.code()).as(clean.err()).isZero();
        assertReproducesSource(copy);
    }

    @Test
    void createMakesTheDatabaseAndRestoresIntoIt() throws Exception {
        String name = "rs_created_" + System.nanoTime();
        Cli.Result r = restore(env(), "--create", name, "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(name);
        assertThat(RestoreFixtures.databasesLike(pg, name)).containsExactly(name);
        assertReproducesSource(name);
        pg.dropDatabase(name);

        Cli.Result bad = restore(env(), "--create", "no;drop", "--target", pg.uri("postgres"));
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE.code());
    }

    @Test
    void restoringOverTheSourceNeedsForce() throws Exception {
        String prod = pg.createDatabase("rs_prod");
        assertThat(restore(env(), "--target", pg.uri(prod)).code()).isZero();
        pg.exec(prod, "insert into \"Sales Ünïcode\".\"Order Items\" (qty) values (99);");
        Map<String, String> env = RestoreFixtures.env(bucket, "r", prod);
        Cli.Result refused = restore(env, "--clean", "--target", pg.uri(prod));
        assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(refused.err()).contains("source").contains("--force").doesNotContain(PgServer.PASSWORD);
        assertThat(RestoreFixtures.count(pg, prod, "select count(*) from \"Sales Ünïcode\".\"Order Items\" where qty = 99"))
                .isEqualTo(1);

        env.put("RESTORE_PG_URI", pg.uri(prod));
        assertThat(restore(env, "--clean").code()).isEqualTo(ExitCode.USAGE.code());

        Cli.Result forced = restore(env, "--clean", "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertReproducesSource(prod);
    }

    /** Another address of the same server (127.0.0.1 vs localhost) is still the source: compared by identity. */
    @Test
    void theSourceReachedUnderAnotherHostNameIsStillProtected() throws Exception {
        String prod = pg.createDatabase("rs_prod_alias");
        assertThat(restore(env(), "--target", pg.uri(prod)).code()).isZero();
        pg.exec(prod, "insert into \"Sales Ünïcode\".\"Order Items\" (qty) values (99);");
        Map<String, String> env = RestoreFixtures.env(bucket, "r", prod);
        String alias = alias(pg.uri(prod));
        assertThat(alias).isNotEqualTo(env.get("PG_URI"));
        Cli.Result refused = restore(env, "--clean", "--target", alias);
        assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(refused.err()).contains("is the source database").contains("--force");
        assertThat(RestoreFixtures.count(pg, prod, "select count(*) from \"Sales Ünïcode\".\"Order Items\" where qty = 99"))
                .isEqualTo(1);
        // another database on the same server is not the source
        String other = pg.createDatabase("rs_alias_other");
        Cli.Result ok = restore(env, "--target", alias(pg.uri(other)));
        assertThat(ok.code()).as(ok.err()).isZero();
    }

    /** The same server under its other loopback name. */
    static String alias(String uri) {
        return uri.contains("@127.0.0.1:") ? uri.replace("@127.0.0.1:", "@localhost:") : uri.replace("@localhost:", "@127.0.0.1:");
    }

    /** A restore that fails drops the database it created, so a rerun does not find it "already exists". */
    @Test
    void aFailedRestoreWithCreateLeavesNoDatabaseBehind() throws Exception {
        Path bin = BackupFailureIT.wrapperDir("exec REAL \"$@\"",
                "[ \"$1\" = --version ] && exec REAL \"$@\"\necho 'pg_restore: error: injected failure' >&2\nexit 1");
        Map<String, String> env = env();
        env.put("PG_BIN_DIR", bin.toString());
        Cli.Result r = restore(env, "--create", "rs_created_then_failed", "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.RESTORE_FAILED.code());
        assertThat(r.err()).contains("injected failure");
        assertThat(RestoreFixtures.databasesLike(pg, "rs_created_then_failed")).isEmpty();
        // and the rerun, with a working pg_restore, succeeds under the same name
        Cli.Result again = restore(env(), "--create", "rs_created_then_failed", "--target", pg.uri("postgres"));
        assertThat(again.code()).as(again.err()).isZero();
        pg.dropDatabase("rs_created_then_failed");
    }

    /** The source may be configured through libpq's variables (as backup accepts); it is protected the same way. */
    @Test
    void aSourceFromLibpqVariablesIsProtectedToo() throws Exception {
        String prod = pg.createDatabase("rs_prod_libpq");
        assertThat(restore(env(), "--target", pg.uri(prod)).code()).isZero();
        pg.exec(prod, "insert into \"Sales Ünïcode\".\"Order Items\" (qty) values (99);");
        Map<String, String> env = env();
        env.remove("PG_URI");
        env.put("PGHOST", pg.host());
        env.put("PGPORT", String.valueOf(pg.port()));
        env.put("PGUSER", PgServer.USER);
        env.put("PGPASSWORD", PgServer.PASSWORD);
        env.put("PGDATABASE", prod);
        Cli.Result refused = restore(env, "--clean", "--target", pg.uri(prod));
        assertThat(refused.code()).as(refused.all()).isEqualTo(ExitCode.USAGE.code());
        assertThat(refused.err()).contains("--force");
        assertThat(RestoreFixtures.count(pg, prod, "select count(*) from \"Sales Ünïcode\".\"Order Items\" where qty = 99"))
                .isEqualTo(1);
    }

    @Test
    void noOwnerAndNoPrivilegesAreAccepted() throws Exception {
        String target = pg.createDatabase("rs_noowner");
        Cli.Result r = restore(env(), "--no-owner", "--no-privileges", "--target", pg.uri(target));
        assertThat(r.code()).as(r.err()).isZero();
        assertReproducesSource(target);
        String jobs = pg.createDatabase("rs_noowner_jobs");
        Cli.Result j = restore(env(), "--no-owner", "--no-privileges", "--jobs", "2",
                "--target", pg.uri(jobs));
        assertThat(j.code()).as(j.err()).isZero();
        assertReproducesSource(jobs);
    }

    /** A copy of the real backup under prefix {@code prefix}, objects included; returns the manifest. */
    static Manifest cloneBackup(String prefix) throws Exception {
        KeyLayout to = new KeyLayout(prefix);
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            String key = RestoreFixtures.copy(store, R, manifestKey, store, to,
                    new RestoreFixtures.Copy("2026/11/27/03-00-00").withObjects());
            return RestoreFixtures.manifest(store, key);
        }
    }

    /**
     * A clear message for a corrupted object says that it does not match its manifest, not only what
     * pg_restore/psql tripped over ("killed by signal 11", "invalid input syntax for type date").
     */
    static void assertSaysTheObjectIsCorrupt(Cli.Result r) {
        assertThat(r.err()).as("exit " + r.code() + ": " + r.err())
                .containsAnyOf("does not match its manifest", "SHA-256", "corrupt");
    }

    @Test
    void aCorruptedArchiveFailsWithIntegrityOrRestoreFailed() throws Exception {
        Manifest m = cloneBackup("flipped");
        String dumpKey = m.object("custom").orElseThrow().key();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            RestoreFixtures.flipByteInTheMiddle(store, dumpKey);
        }
        Map<String, String> env = RestoreFixtures.env(bucket, "flipped", source);

        String streamed = pg.createDatabase("rs_corrupt");
        Cli.Result r = restore(env, "--target", pg.uri(streamed));
        assertThat(r.code()).as(r.err()).isIn(ExitCode.INTEGRITY.code(), ExitCode.RESTORE_FAILED.code());
        assertThat(r.err()).contains(dumpKey);
        assertSaysTheObjectIsCorrupt(r);

        // with --jobs the archive is downloaded and checked before anything touches the database
        String jobs = pg.createDatabase("rs_corrupt_jobs");
        Cli.Result j = restore(env, "--jobs", "2", "--target", pg.uri(jobs));
        assertThat(j.code()).as(j.err()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(j.err()).contains(dumpKey).contains("does not match its manifest");
        assertThat(RestoreFixtures.count(pg, jobs, RELATIONS)).isZero();

        // ... before the database it would create even exists
        Cli.Result c = restore(env, "--jobs", "2", "--create", "rs_never_created", "--target", pg.uri("postgres"));
        assertThat(c.code()).as(c.err()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(RestoreFixtures.databasesLike(pg, "rs_never_created")).isEmpty();
        // streamed with --create: the failed restore drops the database it created
        Cli.Result s = restore(env, "--create", "rs_created_corrupt", "--target", pg.uri("postgres"));
        assertThat(s.code()).as(s.err()).isIn(ExitCode.INTEGRITY.code(), ExitCode.RESTORE_FAILED.code());
        assertThat(RestoreFixtures.databasesLike(pg, "rs_created_corrupt")).isEmpty();
    }

    @Test
    void aCorruptedSqlScriptFailsWithIntegrityOrRestoreFailed() throws Exception {
        Manifest m = cloneBackup("flippedsql");
        String sqlKey = m.object("plain").orElseThrow().key();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            RestoreFixtures.flipByteInTheMiddle(store, sqlKey);
        }
        String target = pg.createDatabase("rs_corrupt_sql");
        Cli.Result r = restore(RestoreFixtures.env(bucket, "flippedsql", source), "--format", "plain",
                "--target", pg.uri(target));
        assertThat(r.code()).as(r.err()).isIn(ExitCode.INTEGRITY.code(), ExitCode.RESTORE_FAILED.code());
        assertThat(r.err()).contains(sqlKey);
        assertSaysTheObjectIsCorrupt(r);
    }

    @Test
    void aManifestPointingAtAMissingObjectIsIntegrity() throws Exception {
        Manifest m = cloneBackup("missing");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            for (Manifest.StoredObject o : m.objects()) {
                store.delete(o.key());
            }
        }
        Map<String, String> env = RestoreFixtures.env(bucket, "missing", source);
        String dumpKey = m.object("custom").orElseThrow().key();
        for (List<String> args : List.of(List.<String>of(), List.of("--jobs", "2"), List.of("--format", "plain"))) {
            String target = pg.createDatabase("rs_missing");
            List<String> a = new ArrayList<>(args);
            a.add("--target");
            a.add(pg.uri(target));
            Cli.Result r = restore(env, a.toArray(String[]::new));
            assertThat(r.code()).as(args + ": " + r.err()).isEqualTo(ExitCode.INTEGRITY.code());
            assertThat(r.err()).contains(args.contains("plain") ? m.object("plain").orElseThrow().key() : dumpKey)
                    .contains("does not have it");
        }
    }

    @Test
    void anUnreachableTargetIsADatabaseError() {
        Cli.Result r = restore(env(), "--target", "postgresql://app:pw@127.0.0.1:1/nowhere");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(r.err()).doesNotContain(":pw@");
    }

    @Test
    void aWrongPasswordIsADatabaseError() throws Exception {
        String target = pg.createDatabase("rs_wrongpw");
        Cli.Result r = restore(env(), "--target",
                "postgresql://" + PgServer.USER + ":not-the-password@" + pg.host() + ":" + pg.port() + "/" + target);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(r.err()).contains("password authentication failed").doesNotContain("not-the-password");
    }

    @Test
    void usageErrors() {
        Map<String, String> env = env();
        assertThat(restore(env, "yesterday", "--target", pg.uri("postgres")).code()).isEqualTo(ExitCode.USAGE.code());
        Cli.Result noTarget = restore(env);
        assertThat(noTarget.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(noTarget.err()).contains("RESTORE_PG_URI");
        assertThat(restore(env, "--format", "tar", "--target", pg.uri("postgres")).code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(restore(env, "--jobs", "0", "--target", pg.uri("postgres")).code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(restore(env, "--format", "plain", "--clean", "--target", pg.uri("postgres")).code())
                .isEqualTo(ExitCode.USAGE.code());
        Cli.Result none = restore(env, "2020-01-01", "--target", pg.uri("postgres"));
        assertThat(none.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(none.err()).contains(stem);
    }
}
