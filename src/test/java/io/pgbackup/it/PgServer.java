package io.pgbackup.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Postgres server for integration tests, embedded or in a container. Tests connect as
 * {@link #USER}, a superuser with a password (password authentication is on), whose password
 * holds characters that need escaping in URIs and passfiles.
 */
public abstract class PgServer implements AutoCloseable {
    public static final String USER = "app";
    public static final String PASSWORD = "s3cr3t:pw\\with@odd/chars";
    private static final AtomicInteger DBS = new AtomicInteger();

    public abstract String host();

    public abstract int port();

    public abstract int major();

    abstract void stop();

    @Override
    public void close() {
        stop();
    }

    public String uri(String db) {
        return "postgresql://" + USER + ":" + java.net.URLEncoder.encode(PASSWORD, java.nio.charset.StandardCharsets.UTF_8)
                + "@" + host() + ":" + port() + "/" + db;
    }

    public Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/"
                + java.net.URLEncoder.encode(db, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"), p);
    }

    /** A fresh, empty database with a unique name. */
    public String createDatabase(String hint) throws SQLException {
        String name = (hint + "_" + DBS.incrementAndGet()).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        }
        return name;
    }

    public void dropDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name + " with (force)");
        }
    }

    public void exec(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
