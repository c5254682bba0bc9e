package io.pgbackup.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A hot standby of an {@link EmbeddedPgServer}, made the way operators make one: the host's
 * {@code pg_basebackup -R} (streaming WAL, a replication slot) into a new data directory, started
 * with the same binaries. Settings in {@code config} (hot_standby_feedback, the standby delays)
 * go into postgresql.auto.conf and can be changed later with {@link #reconfigure} (the file and a
 * reload: ALTER SYSTEM is refused on a standby).
 */
final class StandbyPgServer extends PgServer {
    private final EmbeddedPostgres pg;
    private final Path data;
    private final int major;

    StandbyPgServer(EmbeddedPgServer primary, Map<String, String> config) throws Exception {
        this.major = primary.major();
        this.data = Files.createTempDirectory("pgbackup-standby");
        Files.delete(data); // pg_basebackup makes it
        String slot = "standby_" + Math.abs(System.nanoTime() % 100000);
        HostTools.Run r = HostTools.run(primary, null, new io.pgbackup.pg.PgTools(System.getenv()).find("pg_basebackup")
                .orElseThrow().toString(), "-h", primary.host(), "-p", String.valueOf(primary.port()), "-U", "postgres",
                "-D", data.toString(), "-R", "-C", "-S", slot, "-X", "stream", "--checkpoint=fast");
        if (r.code() != 0) {
            throw new IllegalStateException("pg_basebackup failed: " + r.err());
        }
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        Files.deleteIfExists(data.resolve("epg-lock"));
        // In postgresql.auto.conf, not on the command line (which would win over later changes).
        StringBuilder auto = new StringBuilder(Files.readString(data.resolve("postgresql.auto.conf")));
        config.forEach((k, v) -> auto.append(k).append(" = '").append(v).append("'\n"));
        Files.writeString(data.resolve("postgresql.auto.conf"), auto.toString());
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setPgBinaryResolver((system, arch) -> EmbeddedPgServer.open(primary.binariesJar))
                .setDataDirectory(data).setCleanDataDirectory(false)
                .setServerConfig("hba_file", primary.hbaFile.toString())
                .setServerConfig("wal_receiver_status_interval", "1s");
        pg = b.start();
        waitForStreaming();
    }

    private void waitForStreaming() throws Exception {
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(until)) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select count(*) from pg_stat_wal_receiver where status = 'streaming'")) {
                rs.next();
                if (rs.getInt(1) == 1) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the standby does not stream from its primary");
    }

    /** Sets {@code name = value} in postgresql.auto.conf (the last line for a name wins) and reloads. */
    void reconfigure(String name, String value) throws Exception {
        Path auto = data.resolve("postgresql.auto.conf");
        Files.writeString(auto, Files.readString(auto) + name + " = '" + value + "'\n");
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("select pg_reload_conf()");
        }
        Thread.sleep(300);
    }

    /** Waits until the standby has replayed everything the primary has written so far. */
    void catchUp(PgServer primary) throws Exception {
        String target;
        try (Connection c = primary.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select pg_current_wal_insert_lsn()")) {
            rs.next();
            target = rs.getString(1);
        }
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(until)) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '" + target + "') >= 0")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the standby did not replay up to " + target);
    }

    Connection superuser() throws Exception {
        return pg.getPostgresDatabase().getConnection();
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return pg.getPort();
    }

    @Override
    public int major() {
        return major;
    }

    @Override
    void stop() {
        try {
            pg.close();
        } catch (IOException e) {
            // the JVM is ending
        }
    }
}
