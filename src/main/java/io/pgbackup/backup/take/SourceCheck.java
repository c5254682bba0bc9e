package io.pgbackup.backup.take;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.pg.Toolset;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a backup checks about its source before anything is written: the server's version, size
 * and tables, and the client programs of its major (the server's own, or the oldest newer one;
 * none new enough is exit 4, none at all exit 2). It touches neither the store nor the lock, so a
 * caller may run it while it takes the lock.
 */
public record SourceCheck(Toolset tools, Path pgDump, ToolVersion dumpVersion, Path pgRestore, ServerInfo info) {
    private static final Logger log = LoggerFactory.getLogger(SourceCheck.class);

    public static SourceCheck of(ConnectionString source, PgTools tools) {
        if (tools.toolsets().isEmpty()) { // a configuration error, before any connection
            throw PgBackupException.config("pg_dump not found in " + tools.whereToLook()
                    + ": install the PostgreSQL client (e.g. apt-get install postgresql-client) or set PG_BIN_DIR");
        }
        ServerInfo info;
        try (Connection c = new Database(source, "source").connect()) {
            info = ServerInfo.read(c);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "source database: " + e.getMessage(), e);
        }
        // The server's own major when installed: its archive is read by that pg_restore and every
        // newer one, and its script loads into that server (newer tools write settings it refuses).
        Toolset set = tools.forDump(info.version());
        Path pgDump = tools.require(set, "pg_dump");
        // Always: the archive also goes through pg_restore --file=-, whose script gives the row counts.
        Path pgRestore = tools.require(set, "pg_restore");
        ToolVersion dumpVersion = tools.version(set, "pg_dump").orElseThrow(() -> PgBackupException.config(
                "pg_dump in " + set.dir() + " does not run (pg_dump --version failed)"));
        if (info.version().major() > dumpVersion.major()) { // a directory whose name promised a newer major
            throw new PgBackupException(ExitCode.VERSION_MISMATCH, "the server runs PostgreSQL " + info.version()
                    + " but pg_dump in " + set.dir() + " is " + dumpVersion + ": pg_dump must be at least the server's "
                    + "major version; use the pgbackup image built with --build-arg PG_MAJOR=" + info.version().major());
        }
        warnOfConflicts(info);
        if (set.major() != info.version().major()) {
            log.info("no pg_dump {} here ({}): dumping the PostgreSQL {} server with pg_dump {}", info.version().major(),
                    tools.describe(), info.version(), dumpVersion);
        }
        return new SourceCheck(set, pgDump, dumpVersion, pgRestore, info);
    }

    /** The same tools, for another database of the server (a server backup's). */
    SourceCheck forDatabase(ServerInfo other) {
        return new SourceCheck(tools, pgDump, dumpVersion, pgRestore, other);
    }

    /** A dump of this size takes at least this long: 50 MB/s, at least a minute. */
    static Duration expectedDuration(long bytes) {
        return Duration.ofSeconds(Math.max(60, bytes / 50_000_000));
    }

    /** On a standby that cancels long queries, says so before the dump starts (and how to stop it). */
    static void warnOfConflicts(ServerInfo info) {
        ServerInfo.StandbySettings s = info.standby();
        if (s != null && s.conflictsLikely(expectedDuration(info.sizeBytes()))) {
            log.warn("the source is a hot standby with hot_standby_feedback off and max_standby_streaming_delay {}, "
                    + "max_standby_archive_delay {}: replay may cancel a dump of {} (expected to take {} s or more) when the "
                    + "primary cleans up rows its snapshot needs; set hot_standby_feedback = on, or raise both delays",
                    human(s.maxStreamingDelay()), human(s.maxArchiveDelay()), Progress.bytes(info.sizeBytes()),
                    expectedDuration(info.sizeBytes()).toSeconds());
        }
    }

    private static String human(Duration d) {
        return d == null ? "-1 (wait forever)" : d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
