package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pipeline.age.TestKeys;
import io.pgbackup.repo.Catalog;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole server: three databases (one with a quoted, mixed-case name) and the globals
 * (roles, memberships, role settings, a non-login owner, grants, default privileges, database
 * settings and comments; a database that refuses connections) in one run, restored with --all
 * onto a second, empty server; a non-superuser source; a database failing mid-run.
 */
class ServerIT {
    static final KeyLayout LAYOUT = new KeyLayout("srv");
    static final String MIXED = "Srv Mixed";
    static final String READER_PW = "reader-pw-42";
    static final List<String> DBS = List.of("srv_alpha", MIXED, "srv_gamma");
    static PgServer source;

    @BeforeAll
    static void seed() throws Exception {
        source = TestRig.get().dedicated("server-source");
        try (Connection c = source.connect("postgres"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select 1 from pg_database where datname = 'srv_alpha'")) {
                if (rs.next()) {
                    return; // seeded by an earlier test class in this JVM
                }
            }
            for (String sql : List.of(
                    "create role srv_owner nologin",
                    "create role srv_group nologin",
                    "create role srv_reader login password '" + READER_PW + "'",
                    "grant srv_group to srv_reader",
                    "alter role srv_reader set statement_timeout = '42s'",
                    "create role srv_backup login password 'backup-pw' in role pg_read_all_data",
                    "create database srv_alpha owner srv_owner",
                    "create database \"" + MIXED + "\"",
                    "create database srv_gamma",
                    "create database srv_closed",
                    "alter database srv_closed with allow_connections false",
                    "alter database srv_alpha set work_mem = '7MB'",
                    "comment on database srv_alpha is 'alpha comment'",
                    "revoke connect on database srv_gamma from public",
                    "grant connect on database srv_gamma to srv_reader, srv_backup",
                    "alter role srv_reader in database srv_alpha set search_path = app, public")) {
                st.execute(sql);
            }
        }
        source.exec("srv_alpha", "create schema app authorization srv_owner;"
                + "create table app.items (id int primary key, name text);"
                + "alter table app.items owner to srv_owner;"
                + "insert into app.items select g, 'item ' || g from generate_series(1, 300) g;"
                + "grant usage on schema app to srv_group; grant select on app.items to srv_group;"
                + "alter default privileges for role srv_owner in schema app grant select on tables to srv_reader");
        SampleData.awkward(source, MIXED);
        source.exec("srv_gamma", "create table g (id bigint primary key, payload text);"
                + "insert into g select g, repeat(md5(g::text), 20) from generate_series(1, 20000) g");
    }

    static Map<String, String> env(String bucket) {
        Map<String, String> env = Cli.baseEnv();
        env.putAll(TestRig.get().s3().env(bucket));
        env.put("PG_URI", source.uri("postgres"));
        env.put("S3_PREFIX", "srv");
        env.put("S3_PART_SIZE", "5MiB");
        env.put("PG_DATABASES", "all");
        return env;
    }

    static Manifest newest(String bucket) {
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            return new Catalog(store, LAYOUT).all().get(0);
        }
    }

    static List<String> keys(String bucket) throws Exception {
        List<String> out = new ArrayList<>();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            for (ObjectInfo o : store.list("")) {
                out.add(o.key());
            }
        }
        return out;
    }

    static String one(PgServer pg, String db, String sql) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void allDatabasesAndTheGlobalsRestoreOntoAnEmptyServer() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-all");
        Cli.Result b = Cli.run(env(bucket), "backup", "--parallel-databases", "2");
        assertThat(b.code()).as(b.err()).isZero();
        Manifest m = newest(bucket);
        assertThat(m.serverBackup()).isTrue();
        assertThat(m.formatVersion()).isEqualTo(Manifest.SERVER_FORMAT_VERSION);
        assertThat(m.databaseNames()).containsExactlyInAnyOrderElementsOf(DBS);
        assertThat(m.server().skipped()).extracting(Manifest.Skipped::name).contains("postgres", "template0", "template1",
                "srv_closed");
        assertThat(m.server().skipped()).filteredOn(s -> s.name().equals("srv_closed")).singleElement()
                .extracting(Manifest.Skipped::reason).asString().contains("does not allow connections");
        assertThat(m.server().globalsNote()).as("a superuser reads role passwords").isNull();
        // one stem; a database's objects under <stem>/<name>; one manifest, written last
        String stem = m.stem();
        assertThat(keys(bucket)).contains("srv/" + stem + ".json", "srv/" + stem + ".globals.sql.zst",
                "srv/" + stem + "/srv_alpha.dump", "srv/" + stem + "/srv_alpha.sql.zst",
                "srv/" + stem + "/Srv%20Mixed.dump", "srv/" + stem + "/srv_gamma.sql.zst");
        Manifest.Database gamma = m.server().databases().stream().filter(d -> d.name().equals("srv_gamma")).findFirst()
                .orElseThrow();
        assertThat(gamma.rows().total()).isEqualTo(20000);
        assertThat(gamma.tables()).singleElement().extracting(Manifest.Table::rowCount).isEqualTo(20000L);
        assertThat(m.rows().total()).isEqualTo(m.server().databases().stream().mapToLong(d -> d.rows().total()).sum());

        // list shows it as one backup with its database count; --databases expands it
        Cli.Result list = Cli.run(env(bucket), "list", "--databases");
        assertThat(list.out()).contains("server: 3 db").contains("srv_gamma").contains(MIXED).contains("(globals)")
                .contains("srv_closed").contains("skipped: does not allow connections");

        PgServer target = TestRig.get().dedicated("server-target");
        Map<String, String> r = env(bucket);
        r.put("RESTORE_PG_URI", target.uri("postgres"));
        Cli.Result restore = Cli.run(r, "restore", "--all", "--jobs", "2");
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("restored " + stem + " (3 databases").contains("note: role app");
        for (String db : DBS) {
            assertThat(HostTools.canonicalDump(target, db)).as(db).isEqualTo(HostTools.canonicalDump(source, db));
        }
        // roles, memberships, role settings, passwords
        assertThat(one(target, "postgres", "select rolcanlogin::text from pg_roles where rolname = 'srv_owner'")).isEqualTo("false");
        assertThat(one(target, "postgres", "select pg_has_role('srv_reader', 'srv_group', 'member')::text")).isEqualTo("true");
        assertThat(one(target, "postgres", "select array_to_string(rolconfig, ',') from pg_roles where rolname = 'srv_reader'"))
                .contains("statement_timeout=42s");
        Properties p = new Properties();
        p.setProperty("user", "srv_reader");
        p.setProperty("password", READER_PW);
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + target.host() + ":" + target.port()
                + "/srv_gamma", p)) {
            assertThat(c.isValid(5)).as("the role's password came along").isTrue();
        }
        // database-level settings, comment, owner, CONNECT grants, role-in-database settings
        assertThat(one(target, "postgres", "select pg_catalog.shobj_description(oid, 'pg_database') from pg_database "
                + "where datname = 'srv_alpha'")).isEqualTo("alpha comment");
        assertThat(one(target, "postgres", "select pg_get_userbyid(datdba) from pg_database where datname = 'srv_alpha'"))
                .isEqualTo("srv_owner");
        assertThat(one(target, "postgres", "select array_to_string(s.setconfig, ',') from pg_db_role_setting s join pg_database d "
                + "on d.oid = s.setdatabase where d.datname = 'srv_alpha' and s.setrole = 0")).contains("work_mem=7MB");
        assertThat(one(target, "postgres", "select array_to_string(s.setconfig, ',') from pg_db_role_setting s join pg_database d "
                + "on d.oid = s.setdatabase join pg_roles r on r.oid = s.setrole where d.datname = 'srv_alpha' "
                + "and r.rolname = 'srv_reader'")).contains("search_path=app, public");
        assertThat(one(target, "postgres", "select has_database_privilege('srv_reader', 'srv_gamma', 'CONNECT')::text"))
                .isEqualTo("true");
        assertThat(one(target, "postgres", "select has_database_privilege('srv_owner', 'srv_gamma', 'CONNECT')::text"))
                .as("PUBLIC's CONNECT was revoked").isEqualTo("false");
        // grants on schemas and tables, default privileges
        assertThat(one(target, "srv_alpha", "select has_table_privilege('srv_group', 'app.items', 'SELECT')::text")).isEqualTo("true");
        assertThat(one(target, "srv_alpha", "select count(*) from pg_default_acl")).isEqualTo("1");
        assertThat(one(target, "postgres", "select count(*) from pg_database where datname = 'srv_closed'"))
                .as("a database that refuses connections was not backed up").isEqualTo("0");

        // again onto the same server: its databases exist now, so --all is refused before anything changes
        Cli.Result again = Cli.run(r, "restore", "--all");
        assertThat(again.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(again.err()).contains("already has database(s)");

        // one database of the run, into a database of its own
        PgServer scratch = TestRig.get().postgres();
        String into = scratch.createDatabase("srv_one");
        Map<String, String> o = env(bucket);
        o.put("RESTORE_PG_URI", scratch.uri(into));
        Cli.Result single = Cli.run(o, "restore", "--database", "srv_gamma", "--no-owner", "--no-privileges");
        assertThat(single.code()).as(single.err()).isZero();
        assertThat(one(scratch, into, "select count(*) from g")).isEqualTo("20000");
        Cli.Result none = Cli.run(o, "restore");
        assertThat(none.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(none.err()).contains("server backup of 3 databases").contains("--database NAME").contains("--all");
        Cli.Result missing = Cli.run(o, "restore", "--database", "nope");
        assertThat(missing.code()).isEqualTo(ExitCode.NOT_FOUND.code());

        // the drill: every database, and the globals parse
        Map<String, String> d = env(bucket);
        Cli.Result drill = Cli.run(d, "drill");
        assertThat(drill.code()).as(drill.out() + drill.err()).isZero();
        JsonNode report = RestoreFixtures.JSON.readTree(drill.out());
        List<String> names = new ArrayList<>();
        report.get("checks").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).contains("globals", "srv_alpha: restore", "srv_alpha: rows", MIXED + ": rows", "srv_gamma: rows");
        // verify covers every object of the run; prune treats the run as one backup
        Cli.Result verify = Cli.run(d, "verify");
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("srv_alpha.dump").contains(".globals.sql.zst");
        Cli.Result b2 = Cli.run(env(bucket), "backup");
        assertThat(b2.code()).as(b2.err()).isZero();
        // (the retention guard would keep the drilled one: off here, the run is what is checked)
        Cli.Result prune = Cli.run(env(bucket), "prune", "--keep-last", "1", "--keep-drilled", "0");
        assertThat(prune.code()).as(prune.err()).isZero();
        assertThat(keys(bucket)).noneMatch(k -> k.startsWith("srv/" + stem));
    }

    @Test
    void aNonSuperuserSourceBacksUpGlobalsWithoutPasswordsAndSaysSo() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-nosu");
        Map<String, String> env = env(bucket);
        env.put("PG_URI", "postgresql://srv_backup:backup-pw@" + source.host() + ":" + source.port() + "/srv_gamma");
        env.put("PG_DATABASES", "srv_gamma");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        Manifest m = newest(bucket);
        assertThat(m.server().globalsNote()).contains("role passwords not included").contains("not a superuser");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            byte[] z = RestoreFixtures.read(store, m.globals().orElseThrow().key());
            String sql = new String(io.pgbackup.pipeline.SqlCompression.ZSTD.decompress(new java.io.ByteArrayInputStream(z))
                    .readAllBytes(), StandardCharsets.UTF_8);
            assertThat(sql).contains("CREATE ROLE srv_reader").doesNotContain("SCRAM-SHA-256$");
        }
        assertThat(r.err() + Cli.run(env, "list", "--databases").out()).contains("role passwords not included");
    }

    @Test
    void oneDatabaseFailingMidRunLeavesNothingOfTheRun() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-fail");
        // pg_dump of srv_gamma dies by SIGKILL after 100 kB; the other databases dump normally
        Path wrappers = BackupFailureIT.wrapperDir("[ \"$1\" = --version ] && exec REAL \"$@\"\n"
                + "case \"$*\" in *dbname=srv_gamma*) REAL \"$@\" | head -c 100000; kill -9 $$ ;; esac\nexec REAL \"$@\"",
                "exec REAL \"$@\"");
        // pg_dumpall lives next to the real pg_dump
        java.nio.file.Path realDumpall = new io.pgbackup.pg.PgTools(System.getenv()).find("pg_dumpall").orElseThrow();
        java.nio.file.Files.createSymbolicLink(wrappers.resolve("pg_dumpall"), realDumpall);
        Map<String, String> env = env(bucket);
        env.put("PG_BIN_DIR", wrappers.toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DUMP_FAILED.code());
        assertThat(r.err().strip()).doesNotContain("\n").contains("database 'srv_gamma'").contains("pg_dump was killed by signal 9");
        assertThat(keys(bucket)).as("nothing of the run: no manifest, no objects, no marker").isEmpty();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            assertThat(store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void anEncryptedServerBackupKeepsTablesInTheCatalogAndDrillsWithAKey() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-enc");
        TestKeys key = TestKeys.generate();
        Map<String, String> env = env(bucket);
        env.put("PG_DATABASES", "srv_alpha,srv_gamma");
        env.put("AGE_RECIPIENTS", key.recipient());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        Manifest m = newest(bucket);
        assertThat(m.objects()).allMatch(Manifest.StoredObject::encrypted);
        assertThat(m.server().databases()).allMatch(d -> d.tables().isEmpty() && d.rows() == null);
        assertThat(keys(bucket)).contains("srv/" + m.stem() + ".globals.sql.zst.age", "srv/" + m.stem() + "/srv_alpha.dump.age");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            for (String k : keys(bucket)) {
                String text = new String(RestoreFixtures.read(store, k), StandardCharsets.ISO_8859_1);
                assertThat(text).as(k).doesNotContain("items").doesNotContain("srv_reader");
            }
        }
        env.put("AGE_IDENTITY", key.secret());
        Cli.Result drill = Cli.run(env, "drill");
        assertThat(drill.code()).as(drill.out() + drill.err()).isZero();
        assertThat(drill.out()).contains("srv_gamma: rows").contains("1 tables have exactly the rows counted");
        assertThat(Cli.run(env, "verify", "--decrypt").code()).isZero();
    }

    @Test
    void globalsAreAppliedOnlyToADedicatedDrillServer() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-globals");
        Map<String, String> env = env(bucket);
        env.put("PG_DATABASES", "srv_alpha,srv_gamma");
        Cli.Result b = Cli.run(env, "backup");
        assertThat(b.code()).as(b.err()).isZero();
        // without a named drill server the drill would fall back to PG_URI: refused
        Cli.Result unnamed = Cli.run(env, "drill", "--apply-globals");
        assertThat(unnamed.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(unnamed.err()).contains("--apply-globals needs --target or RESTORE_PG_URI");
        // the source itself, also under another address of the same server: refused by its system identifier
        String alias = source.host().equals("127.0.0.1") ? source.uri("postgres").replace("@127.0.0.1:", "@localhost:")
                : source.uri("postgres");
        for (String uri : List.of(source.uri("postgres"), alias)) {
            Cli.Result same = Cli.run(env, "drill", "--apply-globals", "--target", uri);
            assertThat(same.code()).as(uri + ": " + same.err()).isEqualTo(ExitCode.USAGE.code());
            assertThat(same.err()).contains("is the source server");
        }
        assertThat(one(source, "postgres", "select count(*) from pg_database where datname like 'pgbackup_drill_%'"))
                .as("nothing was restored on the source").isEqualTo("0");
        // a dedicated server without the roles: they are created, then every database drills with its owners
        PgServer drillServer = TestRig.get().dedicated("server-drill");
        assertThat(one(drillServer, "postgres", "select count(*) from pg_roles where rolname like 'srv_%'")).isEqualTo("0");
        Cli.Result applied = Cli.run(env, "drill", "--apply-globals", "--target", drillServer.uri("postgres"));
        assertThat(applied.code()).as(applied.out() + applied.err()).isZero();
        assertThat(applied.out()).contains("globals-applied").contains("srv_alpha: rows").contains("srv_gamma: rows");
        assertThat(one(drillServer, "postgres", "select count(*) from pg_roles where rolname in ('srv_owner', 'srv_group', "
                + "'srv_reader')")).isEqualTo("3");
        assertThat(one(drillServer, "postgres", "select pg_has_role('srv_reader', 'srv_group', 'member')::text")).isEqualTo("true");
        // --database drills that one only
        Cli.Result gamma = Cli.run(env, "drill", "--target", drillServer.uri("postgres"), "--database", "srv_gamma");
        assertThat(gamma.code()).as(gamma.out() + gamma.err()).isZero();
        assertThat(gamma.out()).contains("srv_gamma: rows").doesNotContain("srv_alpha: ");
    }

    @Test
    void excludedDatabasesAreLeftOutAndTheMaintenanceDatabaseOnlyWhenListed() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-exclude");
        Map<String, String> env = env(bucket);
        env.put("PG_EXCLUDE_DATABASES", "srv_gamma");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        Manifest m = newest(bucket);
        assertThat(m.databaseNames()).containsExactlyInAnyOrder("srv_alpha", MIXED);
        assertThat(m.server().skipped()).filteredOn(s -> s.name().equals("srv_gamma")).singleElement()
                .extracting(Manifest.Skipped::reason).asString().contains("excluded");
        assertThat(keys(bucket)).noneMatch(k -> k.contains("srv_gamma"));
        env.put("PG_EXCLUDE_DATABASES", "nope");
        Cli.Result bad = Cli.run(env, "backup");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(bad.err()).contains("PG_EXCLUDE_DATABASES: no database 'nope'");
        env.remove("PG_EXCLUDE_DATABASES");
        env.put("PG_DATABASES", "postgres,srv_gamma");
        Cli.Result listed = Cli.run(env, "backup");
        assertThat(listed.code()).as(listed.err()).isZero();
        assertThat(newest(bucket).databaseNames()).containsExactly("postgres", "srv_gamma");
    }

    @Test
    void aFailingDatabaseStopsTheOneDumpedAlongsideIt() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-fail-parallel");
        // srv_gamma's pg_dump dies after 100 kB; srv_alpha's never writes a byte (it would take 60 s):
        // the failure has to stop it, not wait for it
        Path wrappers = BackupFailureIT.wrapperDir("[ \"$1\" = --version ] && exec REAL \"$@\"\n"
                + "case \"$*\" in *dbname=srv_gamma*) REAL \"$@\" | head -c 100000; kill -9 $$ ;; "
                + "*dbname=srv_alpha*) exec sleep 60 ;; esac\nexec REAL \"$@\"",
                "exec REAL \"$@\"");
        java.nio.file.Path realDumpall = new io.pgbackup.pg.PgTools(System.getenv()).find("pg_dumpall").orElseThrow();
        java.nio.file.Files.createSymbolicLink(wrappers.resolve("pg_dumpall"), realDumpall);
        Map<String, String> env = env(bucket);
        env.put("PG_BIN_DIR", wrappers.toString());
        env.put("PG_DATABASES", "srv_gamma,srv_alpha");
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run(env, "backup", "--parallel-databases", "2");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DUMP_FAILED.code());
        assertThat(r.err().strip()).doesNotContain("\n").contains("database 'srv_gamma'");
        assertThat(seconds).as("srv_alpha's dump was stopped, not awaited").isLessThan(40);
        assertThat(keys(bucket)).as("nothing of the run").isEmpty();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            assertThat(store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void badSelectionsAreExit2BeforeAnythingIsWritten() throws Exception {
        String bucket = TestRig.get().s3().createBucket("server-bad");
        Map<String, String> env = env(bucket);
        env.put("PG_DATABASES", "srv_alpha,nope");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("no database 'nope'").contains("srv_gamma");
        env.put("PG_DATABASES", "srv_closed");
        assertThat(Cli.run(env, "backup").err()).contains("does not allow connections");
        env.remove("PG_DATABASES");
        env.put("PG_EXCLUDE_DATABASES", "srv_alpha");
        assertThat(Cli.run(env, "backup").err()).contains("needs --databases/PG_DATABASES");
        assertThat(keys(bucket)).isEmpty();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static Map<String, String> copy(Map<String, String> m) {
        return new HashMap<>(m);
    }
}
