package io.pgbackup.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Which database on which server a connection reached, independent of how it was addressed
 * ({@code 127.0.0.1} and {@code localhost}, a DNS alias, a pooler): the cluster's
 * {@code system_identifier} (from {@code pg_control_system()}; where the role may not call it, the
 * postmaster's start time and port, which no two running servers share) plus the database's oid.
 */
public record ServerIdentity(String cluster, long databaseOid, String database) {

    public static ServerIdentity of(Connection c) throws SQLException {
        String cluster;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select system_identifier::text from pg_control_system()")) {
            rs.next();
            cluster = "sysid:" + rs.getString(1);
        } catch (SQLException e) {
            // Permission denied for this role (managed services): a weaker but still exact fingerprint.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select pg_postmaster_start_time()::text || ' port ' || current_setting('port')")) {
                rs.next();
                cluster = "started:" + rs.getString(1);
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select oid, datname from pg_database where datname = current_database()")) {
            rs.next();
            return new ServerIdentity(cluster, rs.getLong(1), rs.getString(2));
        }
    }

    /** The same database on the same server. */
    public boolean sameDatabase(ServerIdentity other) {
        return cluster.equals(other.cluster) && databaseOid == other.databaseOid;
    }
}
