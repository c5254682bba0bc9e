package io.pgbackup.pg;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backup records about its source: versions, name, size and the tables; {@code standby}
 * when the server is in recovery (a hot standby), else null.
 */
public record ServerInfo(ToolVersion version, String database, long sizeBytes, List<TableInfo> tables,
        StandbySettings standby) {

    public ServerInfo(ToolVersion version, String database, long sizeBytes, List<TableInfo> tables) {
        this(version, database, sizeBytes, tables, null);
    }

    /**
     * A standby's settings that decide whether a long dump survives the primary's cleanup:
     * with {@code hot_standby_feedback} off, replay cancels a query whose snapshot still needs
     * removed rows once it has waited {@code max_standby_streaming_delay} (or
     * {@code max_standby_archive_delay}); null delays mean -1, wait forever.
     */
    public record StandbySettings(boolean hotStandbyFeedback, java.time.Duration maxStreamingDelay,
            java.time.Duration maxArchiveDelay) {
        /** Whether a dump of about {@code expected} may be cancelled by a recovery conflict. */
        public boolean conflictsLikely(java.time.Duration expected) {
            return !hotStandbyFeedback && (shorter(maxStreamingDelay, expected) || shorter(maxArchiveDelay, expected));
        }

        private static boolean shorter(java.time.Duration delay, java.time.Duration expected) {
            return delay != null && delay.compareTo(expected) < 0;
        }
    }

    /** Reads the server's facts: version, database name and size, tables with their estimates. */
    public static ServerInfo read(Connection c) {
        try (Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int, "
                    + "current_setting('server_version'), current_database(), pg_database_size(current_database())");
            rs.next();
            ToolVersion v = ToolVersion.fromServerNum(rs.getInt(1), rs.getString(2).split(" ")[0]);
            String db = rs.getString(3);
            long size = rs.getLong(4);
            return new ServerInfo(v, db, size, tables(c), standby(c));
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot read the server's version and tables: "
                    + Database.firstLine(e.getMessage()), e);
        }
    }

    /** A standby's settings, or null on a primary. */
    static StandbySettings standby(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_is_in_recovery(), "
                + "current_setting('hot_standby_feedback')::bool, "
                + "(select setting::bigint from pg_settings where name = 'max_standby_streaming_delay'), "
                + "(select setting::bigint from pg_settings where name = 'max_standby_archive_delay')")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return null;
            }
            return new StandbySettings(rs.getBoolean(2), delay(rs.getLong(3)), delay(rs.getLong(4)));
        }
    }

    private static java.time.Duration delay(long ms) {
        return ms < 0 ? null : java.time.Duration.ofMillis(ms);
    }

    /** The server's version ({@code server_version_num} and its text). */
    public static ToolVersion version(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select current_setting('server_version_num')::int, current_setting('server_version')")) {
            rs.next();
            return ToolVersion.fromServerNum(rs.getInt(1), rs.getString(2).split(" ")[0]);
        }
    }

    /** The names of the server's settings ({@code pg_settings}), lower case. */
    public static java.util.Set<String> settings(Connection c) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select name from pg_settings")) {
            while (rs.next()) {
                out.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /** Column options every supported server knows. */
    private static final java.util.Set<String> STANDARD_COLUMN_OPTIONS = java.util.Set.of("n_distinct",
            "n_distinct_inherited");

    /**
     * Which of the column options {@code names} the server refuses ("unrecognized parameter"):
     * each is tried on a temporary table in a transaction that is rolled back, so nothing stays.
     */
    public static java.util.Set<String> unknownColumnOptions(Connection c, java.util.Collection<String> names)
            throws SQLException {
        java.util.Set<String> unknown = new java.util.TreeSet<>();
        List<String> toTry = names == null ? List.of()
                : names.stream().filter(n -> !STANDARD_COLUMN_OPTIONS.contains(n) && n.matches("[a-z_][a-z0-9_]*")).toList();
        if (toTry.isEmpty()) {
            return unknown;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("create temporary table pgbackup_option_probe (a int)");
            for (String name : toTry) {
                java.sql.Savepoint sp = c.setSavepoint();
                try {
                    st.execute("alter table pgbackup_option_probe alter column a set (" + name + " = 1)");
                } catch (SQLException e) {
                    if (String.valueOf(e.getMessage()).contains("unrecognized parameter")) {
                        unknown.add(name);
                    }
                }
                c.rollback(sp);
            }
        } finally {
            c.rollback();
            c.setAutoCommit(auto);
        }
        return unknown;
    }

    /** Ordinary and partitioned tables outside the system schemas, ordered by schema and name. */
    public static List<TableInfo> tables(Connection c) throws SQLException {
        List<TableInfo> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select n.nspname, c.relname, c.reltuples::bigint, c.relkind "
                        + "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                        + "where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') "
                        + "and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%' "
                        + "order by 1, 2")) {
            while (rs.next()) {
                out.add(new TableInfo(rs.getString(1), rs.getString(2), rs.getLong(3), "p".equals(rs.getString(4))));
            }
        }
        return out;
    }

    /**
     * The exact number of rows of {@code schema.name}; with {@code only}, its own rows (an
     * inheritance parent without its children's), which is what its COPY block in a dump holds.
     */
    public static long count(Connection c, String schema, String name, boolean only) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from " + (only ? "only " : "") + quoteIdent(schema)
                + "." + quoteIdent(name)); ResultSet r = ps.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Large objects in the database. */
    public static long largeObjects(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(
                "select count(*) from pg_largeobject_metadata")) {
            r.next();
            return r.getLong(1);
        }
    }

    public static String quoteIdent(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
