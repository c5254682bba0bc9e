package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pg.SqlScript;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guarantee a user relies on, for every supported major: a backup of a server of major N
 * restores into a server of major N and of the newest major, in both formats, its drill passes,
 * verify passes, and a whole-server run (UTF8, LATIN1 and SQL_ASCII databases) backs up and
 * drills. The databases hold what differs between majors (identity and generated columns,
 * partitions, publications, large objects, materialized views, an ICU collation) and names
 * of every kind (quotes, spaces, dots, newlines, non-ASCII, names that look like pg_dump's
 * headers and statements).
 *
 * <p>Servers: the newest zonky release of each major ({@code pgbackup.matrix}); restores also go
 * into an 18 one minor behind ({@code pgbackup.matrix.olderMinor}), which does not know the
 * column option the newest minors add. Client tools: {@code PGBACKUP_TEST_PG_BIN_DIRS}, the
 * directories {@code .ci/run} fetches from Debian (13, 15, 17, 18: Debian has no 14 or 16, so
 * those servers are dumped by 15 and 17 and restored into their own major through the rules of
 * {@code PgTools}), passed to pgbackup as {@code PG_BIN_DIR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VersionMatrixIT {
    static final List<String> DATABASES = List.of("matrix", "Latin1 Db", "ascii.db");
    private String binDirs;
    private List<Integer> toolMajors;
    private PgServer newest;
    private PgServer olderMinor;
    private PgServer oldest;

    static Stream<String> releases() {
        return Arrays.stream(System.getProperty("pgbackup.test.matrix", "").trim().split("\\s+")).filter(s -> !s.isEmpty());
    }

    @BeforeAll
    void servers() throws Exception {
        binDirs = System.getenv("PGBACKUP_TEST_PG_BIN_DIRS");
        assumeTrue(binDirs != null && !binDirs.isBlank(), "PGBACKUP_TEST_PG_BIN_DIRS names no client tools "
                + "(.ci/run fetches PostgreSQL 13, 17 and 18's with scripts/pg-debian.sh)");
        toolMajors = new ArrayList<>();
        for (String dir : binDirs.split(":")) {
            Process p = new ProcessBuilder(Path.of(dir, "pg_dump").toString(), "--version").start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(dir + "/pg_dump --version").isZero();
            toolMajors.add(Integer.parseInt(v.replaceAll("(?s).*\\(PostgreSQL\\) (\\d+).*", "$1")));
        }
        assertThat(toolMajors).as("client tools of the oldest and the newest major").contains(13, 18);
        List<String> all = releases().toList();
        newest = new EmbeddedPgServer(all.get(all.size() - 1));
        oldest = new EmbeddedPgServer(all.get(0));
        olderMinor = new EmbeddedPgServer(System.getProperty("pgbackup.test.matrix.olderMinor"));
    }

    @AfterAll
    void stop() {
        if (newest != null) {
            newest.close();
        }
        if (olderMinor != null) {
            olderMinor.close();
        }
        if (oldest != null) {
            oldest.close();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("releases")
    void backupsRestoreIntoTheirOwnMajorAndTheNewest(String release, @TempDir Path dir) throws Exception {
        int major = Integer.parseInt(release.substring(0, release.indexOf('.')));
        try (PgServer pg = new EmbeddedPgServer(release)) {
            seed(pg);
            Map<String, String> env = Cli.baseEnv();
            env.put("PG_BIN_DIR", binDirs);
            env.put("BACKUP_DIR", dir.resolve("one").toString());
            env.put("PG_URI", pg.uri("matrix"));

            Cli.Result backup = Cli.run(env, "backup");
            assertThat(backup.code()).as(backup.err()).isZero();
            JsonNode m = manifest(dir.resolve("one"), backup.out().strip());
            int dumpedBy = Integer.parseInt(m.path("dump").path("pgDumpVersion").asText().replaceAll("\\..*", ""));
            int expected = toolMajors.stream().filter(t -> t >= major).min(Integer::compare).orElseThrow();
            assertThat(dumpedBy).as("pg_dump of the server's own major, or the oldest newer one here").isEqualTo(expected);
            assertThat(m.path("source").path("serverMajor").asInt()).isEqualTo(major);
            Map<String, Long> counted = new LinkedHashMap<>();
            m.path("tables").forEach(t -> counted.put(t.path("schema").asText() + "." + t.path("name").asText(),
                    t.path("rowCount").isNull() || t.path("rowCount").isMissingNode() ? null : t.path("rowCount").asLong()));
            assertThat(counted).as("exact row counts of every table, exact names").isEqualTo(exactCounts(pg, "matrix"));
            assertThat(m.path("rows").path("largeObjects").asLong()).isEqualTo(2);
            assertThat(m.path("dump").path("statistics").isMissingNode() || m.path("dump").path("statistics").isNull())
                    .as("no planner statistics unless asked for").isTrue();

            Cli.Result verify = Cli.run(env, "verify");
            assertThat(verify.code()).as(verify.all()).isZero();
            Cli.Result drill = Cli.run(env, "drill");
            assertThat(drill.code()).as(drill.all()).isZero();
            assertThat(drill.out()).contains("\"passed\" : true");

            Map<String, String> source = contents(pg, "matrix");
            for (String format : List.of("custom", "plain")) {
                for (PgServer target : List.of(pg, newest)) {
                    String db = "r_" + format + "_" + major;
                    Cli.Result r = Cli.run(env, "restore", "--format", format, "--target", target.uri("postgres"),
                            "--create", db);
                    assertThat(r.code()).as(format + " into " + target.major() + ": " + r.all()).isZero();
                    assertThat(contents(target, db)).as(format + " into PostgreSQL " + target.major()).isEqualTo(source);
                    target.dropDatabase(db);
                }
            }
            // One minor behind the newest: it refuses the pg_attver column option of the newest minors.
            Cli.Result r = Cli.run(env, "restore", "--target", olderMinor.uri("postgres"), "--create", "behind_" + major);
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(contents(olderMinor, "behind_" + major)).isEqualTo(source);
            olderMinor.dropDatabase("behind_" + major);

            if (major > oldest.major()) {
                // An older major than the backup's server: refused before the target is touched.
                Cli.Result older = Cli.run(env, "restore", "--target", oldest.uri("postgres"), "--create", "older");
                assertThat(older.code()).as(older.all()).isEqualTo(io.pgbackup.ExitCode.VERSION_MISMATCH.code());
                assertThat(older.err()).contains("PostgreSQL " + major + " or newer");
                try (Connection c = oldest.connect("postgres"); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("select count(*) from pg_database where datname = 'older'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("no database created").isZero();
                }
                // Only older client tools than the server: refused before anything is written.
                Map<String, String> old = new LinkedHashMap<>(env);
                old.put("PG_BIN_DIR", binDirs.split(":")[toolMajors.indexOf(toolMajors.stream().min(Integer::compare)
                        .orElseThrow())]);
                old.put("BACKUP_DIR", dir.resolve("refused").toString());
                Cli.Result refused = Cli.run(old, "backup");
                assertThat(refused.code()).as(refused.all()).isEqualTo(io.pgbackup.ExitCode.VERSION_MISMATCH.code());
                assertThat(refused.err()).contains("PG_MAJOR=" + major);
                try (Stream<Path> files = Files.exists(dir.resolve("refused")) ? Files.walk(dir.resolve("refused"))
                        : Stream.empty()) {
                    assertThat(files.filter(Files::isRegularFile).toList()).as("nothing left written").isEmpty();
                }
            }

            // Planner statistics when asked for: from 18 on they are dumped and restored, counts stay exact.
            pg.exec("matrix", "analyze public.items");
            Map<String, String> stats = new LinkedHashMap<>(env);
            stats.put("BACKUP_DIR", dir.resolve("stats").toString());
            Cli.Result sb0 = Cli.run(stats, "backup", "--dump-options", "--statistics");
            assertThat(sb0.code()).as(sb0.err()).isZero();
            JsonNode sm0 = manifest(dir.resolve("stats"), sb0.out().strip());
            assertThat(sm0.path("dump").path("statistics").asBoolean()).isEqualTo(major >= 18);
            Cli.Result sr = Cli.run(stats, "restore", "--target", pg.uri("postgres"), "--create", "with_stats");
            assertThat(sr.code()).as(sr.all()).isZero();
            if (major >= 18) {
                try (Connection c = pg.connect("with_stats"); Statement st = c.createStatement(); ResultSet rs =
                        st.executeQuery("select (select reltuples from pg_class where oid = 'public.items'::regclass), "
                                + "(select count(*) from pg_stats where schemaname = 'public' and tablename = 'items')")) {
                    rs.next();
                    assertThat(rs.getDouble(1)).as("the source's reltuples, before any ANALYZE").isEqualTo(500.0);
                    assertThat(rs.getInt(2)).as("the source's column statistics").isGreaterThan(0);
                }
            }
            pg.dropDatabase("with_stats");
            assertThat(Cli.run(stats, "drill").code()).isZero();

            // The whole server: three encodings, names of every kind in each.
            Map<String, String> server = new LinkedHashMap<>(env);
            server.put("BACKUP_DIR", dir.resolve("server").toString());
            server.put("PG_URI", pg.uri("postgres"));
            server.put("PG_DATABASES", String.join(",", DATABASES));
            Cli.Result sb = Cli.run(server, "backup");
            assertThat(sb.code()).as(sb.err()).isZero();
            JsonNode sm = manifest(dir.resolve("server"), sb.out().strip());
            for (JsonNode d : sm.path("server").path("databases")) {
                Map<String, Long> rows = new LinkedHashMap<>();
                d.path("tables").forEach(t -> rows.put(t.path("schema").asText() + "." + t.path("name").asText(),
                        t.path("rowCount").isNumber() ? t.path("rowCount").asLong() : null));
                assertThat(rows).as(d.path("name").asText()).isEqualTo(exactCounts(pg, d.path("name").asText()));
            }
            Cli.Result sd = Cli.run(server, "drill");
            assertThat(sd.code()).as(sd.all()).isZero();
            Cli.Result one = Cli.run(server, "restore", "--database", "Latin1 Db", "--target", newest.uri("postgres"),
                    "--create", "latin1_copy_" + major);
            assertThat(one.code()).as(one.all()).isZero();
            assertThat(contents(newest, "latin1_copy_" + major)).isEqualTo(contents(pg, "Latin1 Db"));
            newest.dropDatabase("latin1_copy_" + major);
        }
    }

    private static void seed(PgServer pg) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database matrix");
            st.execute("create database \"Latin1 Db\" encoding 'LATIN1' lc_collate 'C' lc_ctype 'C' template template0");
            st.execute("create database \"ascii.db\" encoding 'SQL_ASCII' lc_collate 'C' lc_ctype 'C' template template0");
        }
        run(pg, "matrix", "fixture.sql");
        run(pg, "Latin1 Db", "latin1.sql");
        run(pg, "ascii.db", "sqlascii.sql");
    }

    private static void run(PgServer pg, String db, String resource) throws Exception {
        String sql;
        try (InputStream in = VersionMatrixIT.class.getResourceAsStream("/matrix/" + resource)) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            for (String s : SqlScript.split(sql)) {
                st.execute(s);
            }
        }
    }

    private static JsonNode manifest(Path dir, String key) throws IOException {
        return ManifestCodec.mapper().readTree(Files.readAllBytes(dir.resolve(key)));
    }

    /** Every ordinary and partitioned table, exactly named, with its own rows (null: partitioned, no rows of its own). */
    static Map<String, Long> exactCounts(PgServer pg, String db) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n "
                        + "on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in "
                        + "('pg_catalog','information_schema') and n.nspname not like 'pg_toast%' order by 1, 2")) {
            List<String[]> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
            for (String[] t : tables) {
                Long n = null;
                if (!t[2].equals("p")) {
                    try (ResultSet r = c.createStatement().executeQuery("select count(*) from only " + q(t[0]) + "." + q(t[1]))) {
                        r.next();
                        n = r.getLong(1);
                    }
                }
                out.put(t[0] + "." + t[1], n);
            }
        }
        return out;
    }

    /**
     * What a restore must reproduce, comparable across majors: every table's and materialized
     * view's rows (an md5 of their text, ordered), the large objects, the publications, the
     * collations of columns and the identity and generated columns.
     */
    static Map<String, String> contents(PgServer pg, String db) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            List<String[]> rels = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select n.nspname, c.relname from pg_class c join pg_namespace n "
                    + "on n.oid = c.relnamespace where c.relkind in ('r','m') and n.nspname not in "
                    + "('pg_catalog','information_schema') and n.nspname not like 'pg_toast%' order by 1, 2")) {
                while (rs.next()) {
                    rels.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] r : rels) {
                try (ResultSet rs = st.executeQuery("select count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' "
                        + "order by t::text collate \"C\"), '')) from " + q(r[0]) + "." + q(r[1]) + " t")) {
                    rs.next();
                    out.put(r[0] + "." + r[1], rs.getString(1));
                }
            }
            for (String[] query : new String[][] {
                    {"large objects", "select count(*) || ':' || md5(coalesce(string_agg(encode(lo_get(oid), 'hex'), ',' "
                            + "order by oid), '')) from pg_largeobject_metadata"},
                    {"publications", "select coalesce(string_agg(p.pubname || '=' || (select string_agg(c.relname, ',' "
                            + "order by c.relname) from pg_publication_rel pr join pg_class c on c.oid = pr.prrelid "
                            + "where pr.prpubid = p.oid), ';' order by p.pubname), '') from pg_publication p"},
                    {"columns", "select string_agg(c.relname || '.' || a.attname || ':' || coalesce(co.collname, '-') || ':' "
                            + "|| a.attidentity::text || ':' || a.attgenerated::text, ',' order by c.relname, a.attnum) from pg_attribute a "
                            + "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
                            + "left join pg_collation co on co.oid = a.attcollation and a.attcollation <> 100 "
                            + "where a.attnum > 0 and not a.attisdropped and c.relkind in ('r','p') and n.nspname in "
                            + "('public','Odd Schema')"}}) {
                try (ResultSet rs = st.executeQuery(query[1])) {
                    rs.next();
                    out.put(query[0], rs.getString(1));
                }
            }
        }
        return out;
    }

    private static String q(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
