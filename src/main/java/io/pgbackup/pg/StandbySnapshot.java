package io.pgbackup.pg;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * On a hot standby, the snapshot a dump runs in, exported by pgbackup so it knows what point of
 * the primary's history the dump holds: a repeatable-read transaction on the standby exports its
 * snapshot ({@code pg_export_snapshot()}), pg_dump imports it ({@code --snapshot}), and the replay
 * position read in the same statement is where that snapshot stands. The transaction stays open
 * until {@link #close}, after pg_dump has imported it (it holds back nothing pg_dump's own
 * transaction does not).
 */
public final class StandbySnapshot implements AutoCloseable {
    /**
     * A dump cancelled by a hot standby. Not retried: a new dump under the same settings meets the
     * same cleanup on the primary, after as long a wait; the fix is a setting, named here.
     */
    public static final String RECOVERY_CONFLICT = "was cancelled by the standby: a recovery conflict (replay removed "
            + "row versions the dump's snapshot still needed); set hot_standby_feedback = on on the standby, or raise "
            + "max_standby_streaming_delay and max_standby_archive_delay above the dump's duration";

    private final Connection c;
    private final String id;
    private final Point point;

    /**
     * Where the dump stands in the primary's history.
     *
     * @param replayLsn       the last WAL position replayed when the snapshot was taken
     * @param replayTimestamp commit time (the primary's clock) of the last transaction replayed; null
     *                        when none has been replayed since the standby started
     * @param asOf            the time the data is current as of: the replay timestamp, or, when the
     *                        standby had replayed everything the primary had reported sending, the
     *                        time of that report (an idle primary commits nothing, but its data is
     *                        current); null when unknown
     */
    public record Point(String replayLsn, Instant replayTimestamp, Instant asOf) {}

    private StandbySnapshot(Connection c, String id, Point point) {
        this.c = c;
        this.id = id;
        this.point = point;
    }

    /** Exports a snapshot on the standby {@code source} (the dump's own database). */
    public static StandbySnapshot export(ConnectionString source) {
        Connection c = new Database(source, "source").connect();
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("set transaction isolation level repeatable read, read only");
                // One statement: the snapshot is taken at its start, the replay position read just after.
                try (ResultSet rs = st.executeQuery("select pg_export_snapshot(), pg_last_wal_replay_lsn()::text, "
                        + "pg_last_xact_replay_timestamp(), pg_is_in_recovery()")) {
                    rs.next();
                    String id = rs.getString(1);
                    String lsn = rs.getString(2);
                    Instant replayed = instant(rs.getTimestamp(3));
                    if (!rs.getBoolean(4)) {
                        // promoted since the preflight: a primary's dump needs no position
                        return new StandbySnapshot(c, id, null);
                    }
                    return new StandbySnapshot(c, id, new Point(lsn, replayed, asOf(st, lsn, replayed)));
                }
            }
        } catch (SQLException e) {
            closeQuietly(c);
            throw new PgBackupException(ExitCode.DATABASE, "cannot export a snapshot on the standby "
                    + source.redacted() + ": " + Database.firstLine(e.getMessage()), e);
        }
    }

    /**
     * The primary's time that the replayed data is current as of. The WAL receiver notes the end
     * of the primary's WAL and when the primary reported it (its keepalives carry both, even when
     * it commits nothing); a standby that replayed up to that end holds everything the primary
     * had then. Otherwise it holds the primary as of the last transaction it replayed.
     */
    private static Instant asOf(Statement st, String replayLsn, Instant replayed) throws SQLException {
        try (ResultSet rs = st.executeQuery("select latest_end_time, pg_wal_lsn_diff(latest_end_lsn, '" + replayLsn
                + "') <= 0 from pg_stat_wal_receiver where status = 'streaming'")) {
            if (rs.next()) {
                Instant reported = instant(rs.getTimestamp(1));
                if (reported != null && rs.getBoolean(2)) {
                    return replayed == null || reported.isAfter(replayed) ? reported : replayed;
                }
            }
        }
        return replayed;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** pg_dump's argument that makes it run in this snapshot. */
    public String pgDumpArg() {
        return "--snapshot=" + id;
    }

    /** Where the snapshot stands; null when the server is no longer in recovery. */
    public Point point() {
        return point;
    }

    /**
     * Whether replay ended this snapshot's session (a recovery conflict terminates an idle
     * transaction whose snapshot needs rows the primary removed): pg_dump then fails for the
     * same cause, perhaps only with "invalid snapshot identifier" if it had not imported it yet.
     */
    public boolean endedByRecoveryConflict() {
        try (Statement st = c.createStatement()) {
            st.execute("select 1");
            return false;
        } catch (SQLException e) {
            return String.valueOf(e.getMessage()).contains("conflict with recovery");
        }
    }

    @Override
    public void close() {
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the session may be gone (a recovery conflict terminates it); closing is all that is left
        }
        try {
            c.close();
        } catch (SQLException e) {
            // nothing else to release
        }
    }
}
