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

/** What a backup records about its source: versions, name, size and the tables. */
public record ServerInfo(ToolVersion version, String database, long sizeBytes, List<TableInfo> tables) {

    /**
     * Reads the server's facts. With {@code countRows}, every table is counted exactly in one
     * REPEATABLE READ transaction (a consistent set of counts; it reads every table once more).
     */
    public static ServerInfo read(Connection c, boolean countRows) {
        try (Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int, "
                    + "current_setting('server_version'), current_database(), pg_database_size(current_database())");
            rs.next();
            ToolVersion v = ToolVersion.fromServerNum(rs.getInt(1), rs.getString(2).split(" ")[0]);
            String db = rs.getString(3);
            long size = rs.getLong(4);
            return new ServerInfo(v, db, size, tables(c, countRows));
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot read the server's version and tables: "
                    + Database.firstLine(e.getMessage()), e);
        }
    }

    /** Ordinary and partitioned tables outside the system schemas, ordered by schema and name. */
    public static List<TableInfo> tables(Connection c, boolean countRows) throws SQLException {
        List<TableInfo> out = new ArrayList<>();
        boolean auto = c.getAutoCommit();
        if (countRows) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select n.nspname, c.relname, c.reltuples::bigint, c.relkind "
                        + "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                        + "where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') "
                        + "and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%' "
                        + "order by 1, 2")) {
            while (rs.next()) {
                String schema = rs.getString(1);
                String name = rs.getString(2);
                Long count = null;
                if (countRows) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "select count(*) from " + quoteIdent(schema) + "." + quoteIdent(name))) {
                        ResultSet r = ps.executeQuery();
                        r.next();
                        count = r.getLong(1);
                    }
                }
                out.add(new TableInfo(schema, name, rs.getLong(3), count));
            }
        } finally {
            if (countRows) {
                c.commit();
                c.setAutoCommit(auto);
            }
        }
        return out;
    }

    public static String quoteIdent(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
