package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.ManifestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups taken from a hot standby: a real primary and a streaming standby made with
 * {@code pg_basebackup -R}. The manifest says what point of the primary's history the dump holds
 * (the replay LSN of the snapshot pg_dump ran in), and the restored data is exactly the primary's
 * at that LSN; a recovery conflict provoked on purpose fails with exit 5 naming the cause and the
 * fixes and leaves nothing; with hot_standby_feedback on, the same load backs up fine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandbyIT {
    private EmbeddedPgServer primary;
    private StandbyPgServer standby;

    @BeforeAll
    void servers() throws Exception {
        primary = new EmbeddedPgServer(TestRig.defaultMajor());
        try (Connection c = primary.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database app");
        }
        try (Connection c = primary.connect("app"); Statement st = c.createStatement()) {
            st.execute("create table stable (id int primary key, v text)");
            st.execute("insert into stable select g, md5(g::text) from generate_series(1, 2000) g");
            st.execute("create table ticks (id bigint primary key, at timestamptz default clock_timestamp())");
            // big enough that a throttled dump is still copying it when the primary cleans up
            st.execute("create table bulk (id int, v text)");
            st.execute("insert into bulk select g, md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) "
                    + "from generate_series(1, 150000) g");
            st.execute("create table churn (id int, v text)");
            st.execute("insert into churn select g, md5(g::text) from generate_series(1, 1000) g");
        }
        standby = new StandbyPgServer(primary, Map.of("hot_standby_feedback", "off",
                "max_standby_streaming_delay", "0", "max_standby_archive_delay", "0"));
        standby.catchUp(primary);
    }

    @AfterAll
    void stop() {
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    /** A commit's bounds on the primary: its record lies between these WAL positions. */
    record Commit(long id, long before, long after) {}

    @Test
    void aBackupOfTheStandbyHoldsThePrimaryAtTheLsnItRecords(@TempDir Path dir) throws Exception {
        List<Commit> commits = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Connection c = primary.connect("app"); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (long id = 1; writing.get(); id++) {
                    st.execute("insert into ticks (id) values (" + id + ")");
                    long before = lsn(st, "pg_current_wal_insert_lsn()");
                    c.commit();
                    long after = lsn(st, "pg_current_wal_insert_lsn()");
                    c.commit();
                    commits.add(new Commit(id, before, after));
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (commits.size() < 50) {
            Thread.sleep(20);
        }
        Map<String, String> env = Cli.baseEnv();
        env.put("BACKUP_DIR", dir.toString());
        env.put("PG_URI", standby.uri("app"));
        Instant started = Instant.now();
        Cli.Result r = Cli.runJar(env, "backup"); // the real jar: its log lines (the preflight's warning) on stderr
        int during = commits.size();
        while (commits.size() < during + 50) {
            Thread.sleep(20); // commits the backup cannot hold
        }
        writing.set(false);
        writer.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("hot standby", "hot_standby_feedback off"); // the preflight's warning

        JsonNode m = ManifestCodec.mapper().readTree(Files.readAllBytes(dir.resolve(r.out().strip())));
        JsonNode sb = m.path("source").path("standby");
        long lsn = parse(sb.path("replayLsn").asText());
        Instant asOf = Instant.parse(sb.path("dataAsOf").asText());
        assertThat(asOf).isBetween(started.minusSeconds(10), Instant.parse(m.path("finishedAt").asText()));

        Cli.Result restore = Cli.run(env, "restore", "--target", primary.uri("postgres"), "--create", "at_lsn");
        assertThat(restore.code()).as(restore.all()).isZero();
        Set<Long> restored = new HashSet<>();
        try (Connection c = primary.connect("at_lsn"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select id from ticks")) {
            while (rs.next()) {
                restored.add(rs.getLong(1));
            }
        }
        long certainIn = 0;
        long certainOut = 0;
        for (Commit c : List.copyOf(commits)) {
            if (c.after() <= lsn) {
                assertThat(restored).as("row %d committed by %X, before the recorded LSN %X", c.id(), c.after(), lsn)
                        .contains(c.id());
                certainIn++;
            } else if (c.before() >= lsn) {
                assertThat(restored).as("row %d committed after the recorded LSN", c.id()).doesNotContain(c.id());
                certainOut++;
            }
        }
        assertThat(certainIn).as("rows committed before the LSN").isGreaterThan(10);
        assertThat(certainOut).as("rows committed after the LSN").isGreaterThan(10);
        for (String table : List.of("stable", "bulk", "churn")) {
            assertThat(VersionMatrixIT.contents(primary, "at_lsn").get("public." + table))
                    .isEqualTo(VersionMatrixIT.contents(primary, "app").get("public." + table));
        }
        primary.dropDatabase("at_lsn");

        Cli.Result list = Cli.run(env, "list");
        assertThat(list.out()).contains("standby, data as of");
    }

    @Test
    void aRecoveryConflictFailsWithExit5NamingTheFixesAndFeedbackOnAvoidsIt(@TempDir Path dir) throws Exception {
        Path bin = throttledTools(dir.resolve("bin"));
        Map<String, String> env = Cli.baseEnv();
        env.put("BACKUP_DIR", dir.resolve("store").toString());
        env.put("PG_URI", standby.uri("app"));
        env.put("PG_BIN_DIR", bin.toString());

        // feedback off, delays 0: the primary's cleanup of rows the dump's snapshot needs cancels it
        CompletableFuture<Cli.Result> backup = CompletableFuture.supplyAsync(() -> Cli.run(env, "backup"));
        String dumpXmin = waitForCopy();
        cleanUpOnThePrimary();
        Cli.Result r = backup.get(2, TimeUnit.MINUTES);
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.DUMP_FAILED.code());
        BackupFailureIT.assertOneLine(r.err().lines().filter(l -> l.startsWith("pgbackup: error:")).findFirst().orElse(""));
        assertThat(r.err()).contains("recovery conflict", "hot_standby_feedback = on", "max_standby_streaming_delay");
        try (Stream<Path> left = Files.walk(dir.resolve("store"))) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("nothing stored").isEmpty();
        }
        assertThat(dumpXmin).isNotNull();

        // feedback on: the primary keeps what the standby's snapshot needs
        try (Connection c = primary.connect("app"); Statement st = c.createStatement()) {
            st.execute("insert into churn select g, md5(g::text) from generate_series(1, 1000) g");
        }
        standby.catchUp(primary);
        standby.reconfigure("hot_standby_feedback", "on");
        CompletableFuture<Cli.Result> again = CompletableFuture.supplyAsync(() -> Cli.run(env, "backup"));
        String xmin = waitForCopy();
        waitForFeedback(xmin);
        cleanUpOnThePrimary();
        Cli.Result ok = again.get(2, TimeUnit.MINUTES);
        assertThat(ok.code()).as(ok.all()).isZero();
        assertThat(ok.err()).doesNotContain("hot_standby_feedback off");
        standby.reconfigure("hot_standby_feedback", "off");
    }

    /** pg_dump whose output is read at ~1.3 MB/s: the dump is still running when the primary cleans up. */
    private static Path throttledTools(Path bin) throws Exception {
        Files.createDirectories(bin);
        io.pgbackup.pg.PgTools real = new io.pgbackup.pg.PgTools(System.getenv());
        write(bin.resolve("pg_dump"), "#!/bin/bash\nset -o pipefail\n[ \"$1\" = --version ] && exec "
                + real.find("pg_dump").orElseThrow() + " \"$@\"\n" + real.find("pg_dump").orElseThrow() + " \"$@\" | "
                + "perl -e 'binmode STDIN; binmode STDOUT; $| = 1; while (read(STDIN, $b, 65536)) { print $b; "
                + "select(undef, undef, undef, 0.05) }'\n");
        write(bin.resolve("pg_restore"), "#!/bin/sh\nexec " + real.find("pg_restore").orElseThrow() + " \"$@\"\n");
        return bin;
    }

    private static void write(Path p, String script) throws Exception {
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Waits until pg_dump is copying on the standby; returns its snapshot's xmin. */
    private String waitForCopy() throws Exception {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(until)) {
            try (Connection c = standby.superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select backend_xmin::text from pg_stat_activity where application_name = 'pg_dump' "
                            + "and query like 'COPY public.bulk%' and state = 'active'")) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pg_dump never started copying public.bulk on the standby");
    }

    /** Waits until the primary holds back cleanup for the standby's snapshot (feedback arrived). */
    private void waitForFeedback(String xmin) throws Exception {
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(until)) {
            try (Connection c = primary.connect("postgres"); Statement st = c.createStatement(); ResultSet rs =
                    // with a replication slot the standby's xmin is kept in the slot, else in its walsender
                    st.executeQuery("select (select count(*) from pg_replication_slots where xmin is not null "
                            + "and xmin::text::bigint <= " + xmin + ") + (select count(*) from pg_stat_replication "
                            + "where backend_xmin is not null and backend_xmin::text::bigint <= " + xmin + ")")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the standby's feedback did not reach the primary");
    }

    /** Deletes rows every running snapshot of the standby can still see, and vacuums them away. */
    private void cleanUpOnThePrimary() throws Exception {
        try (Connection c = primary.connect("app"); Statement st = c.createStatement()) {
            st.execute("delete from churn");
            st.execute("vacuum churn");
        }
    }

    private static long lsn(Statement st, String expr) throws Exception {
        try (ResultSet rs = st.executeQuery("select " + expr + "::text")) {
            rs.next();
            return parse(rs.getString(1));
        }
    }

    static long parse(String lsn) {
        int slash = lsn.indexOf('/');
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }
}
