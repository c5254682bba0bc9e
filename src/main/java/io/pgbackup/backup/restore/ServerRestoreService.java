package io.pgbackup.backup.restore;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.repo.StoredRead;
import io.pgbackup.repo.StoredReadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a server backup onto a server: the globals first (roles, memberships, role settings,
 * tablespaces; roles that exist are kept), then every database with {@code pg_restore --create},
 * which also restores what a per-database restore does not carry: the database's owner,
 * {@code ALTER DATABASE ... SET}, {@code ALTER ROLE ... IN DATABASE ... SET}, its grants
 * ({@code GRANT CONNECT}) and comment. The target must not have any of the backup's databases.
 */
public record ServerRestoreService(ObjectReader reader, PgTools tools, Cancellation cancellation) {
    private static final Logger log = LoggerFactory.getLogger(ServerRestoreService.class);

    /** A whole-server restore onto {@code server} (a connection to its maintenance database). */
    public record Request(Manifest manifest, ConnectionString server, int jobs, Path tempDir) {}

    /** What was restored, and the notes of applying the globals (roles kept as they were). */
    public record Result(List<String> databases, List<String> notes) {}

    public Result restore(Request req) {
        Manifest m = req.manifest();
        if (!m.serverBackup()) {
            throw PgBackupException.config("backup " + m.stem() + " is of one database (" + m.source().database()
                    + "), not a server: restore it without --all");
        }
        reader.requireKeyFor(m);
        List<String> names = m.databaseNames();
        refuseExisting(req.server(), names);
        List<String> statements = Globals.statements(readGlobals(reader, m));
        List<String> notes;
        try (Connection c = new Database(req.server(), "target").connect()) {
            notes = Globals.apply(c, statements);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "target server: " + Database.firstLine(e.getMessage()), e);
        }
        log.info("applied the globals of {} ({} statements; {} role(s) created){}", m.stem(), statements.size(),
                Globals.roles(statements).size() - notes.stream().filter(n -> n.contains("exists")).count(),
                notes.isEmpty() ? "" : ": " + String.join("; ", notes));
        if (m.server().globalsNote() != null) {
            log.warn("{}", m.server().globalsNote());
        }
        List<String> done = new ArrayList<>();
        RestoreService one = new RestoreService(reader, tools, cancellation);
        for (String name : names) {
            cancellation.check("during the server restore (restored so far: " + String.join(", ", done) + ")");
            try {
                one.restore(RestoreRequest.of(m.forDatabase(name), req.server()).with(
                        RestoreRequest.Options.DEFAULT.parallel(req.jobs(), req.tempDir()).into(RestoreRequest.Into.ARCHIVES_OWN)));
            } catch (PgBackupException e) {
                throw new PgBackupException(e.exitCode(), "database '" + name + "': " + e.getMessage()
                        + (done.isEmpty() ? "" : " (restored before it: " + String.join(", ", done) + ")"), e);
            }
            done.add(name);
        }
        return new Result(done, notes);
    }

    /** The globals script of a server backup, decrypted and decompressed, its size and SHA-256 checked. */
    public static String readGlobals(ObjectReader reader, Manifest m) {
        Manifest.StoredObject g = m.globals().orElseThrow(() -> new PgBackupException(ExitCode.INTEGRITY,
                "server backup " + m.stem() + " lists no globals object"));
        try (StoredRead read = reader.open(g, ObjectReader.Layer.CONTENT)) {
            byte[] sql;
            try {
                sql = read.content().readAllBytes();
            } catch (StoredReadException e) {
                throw e;
            } catch (IOException e) {
                read.finish(); // a size or SHA-256 mismatch is the clearer message
                throw new PgBackupException(ExitCode.INTEGRITY, g.key() + " cannot be read: " + e.getMessage(), e);
            }
            read.finish();
            return new String(sql, StandardCharsets.UTF_8);
        } catch (StoredReadException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read " + g.key() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read " + g.key() + ": " + e.getMessage(), e);
        }
    }

    private static void refuseExisting(ConnectionString server, List<String> names) {
        List<String> there = new ArrayList<>();
        try (Connection c = new Database(server, "target").connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select datname from pg_database")) {
            while (rs.next()) {
                if (names.contains(rs.getString(1))) {
                    there.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot inspect the target server: "
                    + Database.firstLine(e.getMessage()), e);
        }
        if (!there.isEmpty()) {
            throw PgBackupException.config("the target server already has database(s) " + String.join(", ", there)
                    + ": restore --all needs a server without them (drop them first, or restore one with --database NAME "
                    + "--create NEWNAME)");
        }
    }
}
