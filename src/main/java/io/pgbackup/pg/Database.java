package io.pgbackup.pg;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * JDBC access to a database named by a {@link ConnectionString}: connecting with a clear error,
 * and the translation of libpq keywords into pgjdbc's URL and properties.
 *
 * @param role how errors name this database to the operator ("source", "target")
 */
public record Database(ConnectionString cs, String role) {
    public Database withDatabase(String dbname) {
        return new Database(cs.with("dbname", dbname), role);
    }

    public String jdbcUrl() {
        String[] hosts = cs.get("host").or(() -> cs.get("hostaddr")).orElse("localhost").split(",", -1);
        String[] ports = cs.get("port").orElse("").split(",", -1);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) {
            String host = hosts[i].isEmpty() ? "localhost" : hosts[i];
            if (host.startsWith("/")) {
                throw PgBackupException.config("the " + role + " connection uses the unix socket '" + host
                        + "': pgbackup connects over TCP, use a host name such as host=localhost");
            }
            String port = ports.length == 1 ? ports[0] : i < ports.length ? ports[i] : "";
            parts.add((host.contains(":") ? "[" + host + "]" : host) + ":" + (port.isEmpty() ? "5432" : port));
        }
        return "jdbc:postgresql://" + String.join(",", parts) + "/"
                + java.net.URLEncoder.encode(cs.database(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** libpq's connect_timeout default when the connection string sets none (it has none itself). */
    public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
    /** A query of ours that sends nothing back for this long has lost its server. */
    static final int SOCKET_TIMEOUT_SECONDS = 600;

    Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", cs.user());
        cs.password().ifPresent(pw -> p.setProperty("password", pw));
        for (String k : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl"}) {
            cs.get(k).ifPresent(v -> p.setProperty(k, v));
        }
        String timeout = cs.get("connect_timeout").orElse(String.valueOf(DEFAULT_CONNECT_TIMEOUT_SECONDS));
        // libpq's connect_timeout covers the whole connection start; pgjdbc splits it: the TCP
        // connect (connectTimeout) and the start-up and authentication (loginTimeout). A server that
        // accepts TCP and never answers is caught by the second; a silent one later by socketTimeout.
        p.setProperty("connectTimeout", timeout);
        p.setProperty("loginTimeout", timeout);
        p.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "pgbackup");
        return p;
    }

    /**
     * Loads the JDBC driver's classes (driver, protocol, SCRAM) ahead of the first connection, so a
     * command can do it on another core while it lists the store. Best effort: never throws.
     */
    public static void preload() {
        for (String c : new String[] {"org.postgresql.Driver", "org.postgresql.core.v3.ConnectionFactoryImpl",
                "org.postgresql.jdbc.PgConnection", "org.postgresql.jdbc.PgStatement", "org.postgresql.jdbc.PgResultSet",
                "org.postgresql.shaded.com.ongres.scram.client.ScramClient"}) {
            try {
                Class.forName(c, true, Database.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // a renamed class only costs the preload
            }
        }
    }

    /** Opens a connection, or fails with exit code 3 and a message that says why. */
    public Connection connect() {
        try {
            return DriverManager.getConnection(jdbcUrl(), properties());
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot connect to the " + role + " database "
                    + cs.redacted() + ": " + tlsHint(e) + firstLine(e.getMessage()), e);
        }
    }

    /** TLS failures say which certificate setting to look at. */
    private String tlsHint(SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("PKIX") || m.contains("certificate")) {
            return "TLS: the server's certificate is not trusted"
                    + cs.get("sslrootcert").map(f -> " by the CA in sslrootcert=" + f).orElse(" (set sslrootcert)") + ": ";
        }
        if (m.contains("hostname") && m.contains("SSL")) {
            return "TLS: the server's certificate does not name the host (sslmode=verify-full): ";
        }
        return "";
    }

    /** Creates database {@code name} on this database's server. */
    public void createDatabase(String name) throws SQLException {
        try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("create database " + ServerInfo.quoteIdent(name));
        }
    }

    /** Drops database {@code name} on this database's server, disconnecting its sessions. */
    public void dropDatabase(String name) throws SQLException {
        try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("drop database if exists " + ServerInfo.quoteIdent(name) + " with (force)");
        }
    }

    /** The first line of a (driver) message: errors are reported on one line. */
    public static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
