package io.pgbackup.backup;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ScratchFiles;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.Feed;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerIdentity;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.repo.StoredRead;
import io.pgbackup.repo.StoredReadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a backup into a target database: the custom archive streamed from the store into
 * {@code pg_restore} (or downloaded and checked first for {@code --jobs}), or the SQL script through
 * {@code psql}. Every pg_restore/psql error fails the restore (no "errors ignored on restore"), and
 * the SHA-256 of what was read is checked against the manifest. The store failing mid-restore is
 * a storage error (exit 6), the child failing on good bytes a restore error (exit 11), and only
 * bytes that do not match the manifest an integrity error (exit 8).
 */
public final class RestoreService {
    private static final Logger log = LoggerFactory.getLogger(RestoreService.class);
    private final ObjectReader reader;
    private final PgTools tools;
    private final Cancellation cancellation;

    public RestoreService(ObjectReader reader, PgTools tools, Cancellation cancellation) {
        this.reader = reader;
        this.tools = tools;
        this.cancellation = cancellation;
    }

    /** Restores; returns the database restored into (the target's, or the created one). */
    public ConnectionString restore(RestoreRequest req) {
        Manifest m = req.manifest();
        boolean plain = req.format().equals("plain");
        Manifest.StoredObject obj = m.object(plain ? "plain" : "custom").orElseThrow(() -> PgBackupException.config(
                "backup " + m.stem() + " has no " + req.format() + " object; use --format "
                        + (plain ? "custom" : "plain")));
        if (plain && (req.noOwner() || req.noPrivileges() || req.clean() || req.jobs() > 1)) {
            throw PgBackupException.config("--no-owner, --no-privileges, --clean and --jobs need the custom archive: "
                    + "drop --format plain");
        }
        if (req.singleTransaction() && req.jobs() > 1) {
            throw PgBackupException.config("--single-transaction cannot be combined with --jobs (pg_restore refuses "
                    + "it): drop one of them");
        }
        reader.requireKeyFor(m); // before anything touches the target
        String program = plain ? "psql" : "pg_restore";
        Path bin = tools.find(program).orElseThrow(() -> PgBackupException.config(program + " not found in "
                + tools.whereToLook() + ": install the PostgreSQL client or set PG_BIN_DIR"));
        if (!plain) {
            checkArchiveReadable(m);
        }
        if (!req.createFromArchive()) {
            guardSource(req);
        }
        long t0 = System.nanoTime();
        Path archive = null;
        ConnectionString target = req.target();
        boolean created = false;
        try {
            if (!plain && req.jobs() > 1) {
                archive = download(req, obj); // checked before anything touches the database
            }
            if (req.createDatabase() != null) {
                target = createDatabase(target, req.createDatabase());
                created = true;
            }
            if (req.createFromArchive()) {
                created = true; // pg_restore --create makes it: a failed restore must not leave it
            } else {
                checkTarget(target, req, plain);
            }
            log.info("restoring {} ({}) into {}", m.stem(), obj.key(), target.redacted());
            try (ChildCredentials creds = ChildCredentials.of(target)) {
                if (archive != null) {
                    restoreFromFile(req, obj, bin, creds, archive);
                } else {
                    restoreStreaming(req, obj, bin, creds, plain, target);
                }
            }
            created = false; // restored: keep it
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "restore failed: " + e.getMessage(), e);
        } finally {
            if (archive != null) {
                deleteQuietly(archive);
            }
            if (created) {
                dropCreated(req.target(), req.createFromArchive() ? m.source().database() : req.createDatabase());
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        log.atInfo().addKeyValue("stem", m.stem()).addKeyValue("duration", secs)
                .log("restored {} in {} s", m.stem(), String.format(Locale.ROOT, "%.1f", secs));
        return target;
    }

    private void checkArchiveReadable(Manifest m) {
        ToolVersion local = tools.version("pg_restore").orElseThrow();
        ToolVersion dumpedBy = ToolVersion.parse(m.dump().pgDumpVersion()).orElse(local);
        if (dumpedBy.major() > local.major()) {
            throw new PgBackupException(ExitCode.VERSION_MISMATCH, "backup " + m.stem() + " was written by pg_dump "
                    + dumpedBy + " but pg_restore is " + local + ": use a pg_restore of major " + dumpedBy.major()
                    + " or newer (the pgbackup image with PG_MAJOR=" + dumpedBy.major() + ")");
        }
    }

    /**
     * Refuses to restore over the source database. Compared by what the servers say they are
     * (cluster identifier and database oid), not by connection strings, which differ for one
     * server reached as {@code 127.0.0.1} and as {@code localhost}.
     */
    private static void guardSource(RestoreRequest req) {
        ConnectionString src = req.source();
        if (src == null || req.force() || req.createDatabase() != null) {
            return;
        }
        ConnectionString t = req.target();
        ServerIdentity target;
        try (Connection c = new Database(t, "target").connect()) {
            target = ServerIdentity.of(c);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot inspect the target database: " + firstLine(e), e);
        }
        ServerIdentity source;
        try (Connection c = new Database(src, "source").connect()) {
            source = ServerIdentity.of(c);
        } catch (SQLException | PgBackupException e) {
            // An unreachable source cannot be the target we just reached... unless it is the same
            // server behind another address that refuses us now: fall back to the names.
            log.debug("cannot reach the source to compare with the target: {}", e.getMessage());
            if (!t.database().equals(src.database()) || !t.get("host").equals(src.get("host"))) {
                return;
            }
            source = target;
        }
        if (source.sameDatabase(target)) {
            throw PgBackupException.config("the restore target " + t.redacted() + " is the source database (PG_URI, "
                    + "database '" + target.database() + "' on the same server); restoring over it needs --force");
        }
    }

    private static ConnectionString createDatabase(ConnectionString server, String name) {
        try {
            new Database(server, "target").createDatabase(name);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.RESTORE_FAILED, "cannot create database '" + name + "' on "
                    + server.redacted() + ": " + firstLine(e), e);
        }
        return server.with("dbname", name);
    }

    /** A failed restore must not leave the database it created: a rerun would find it "already exists". */
    private static void dropCreated(ConnectionString server, String name) {
        try {
            new Database(server, "target").dropDatabase(name);
            log.info("dropped database {} again: the restore into it failed", name);
        } catch (SQLException | PgBackupException e) {
            log.warn("could not drop the database {} the failed restore created: {}", name, e.getMessage());
        }
    }

    private static void checkTarget(ConnectionString target, RestoreRequest req, boolean plain) {
        try (Connection c = new Database(target, "target").connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    + "where c.relkind in ('r','p','v','m','S','f') and n.nspname not in ('pg_catalog','information_schema') "
                    + "and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'");
            rs.next();
            long objects = rs.getLong(1);
            if (objects > 0 && (plain || !req.clean())) {
                throw PgBackupException.config("the target database " + target.database() + " is not empty (" + objects
                        + " relations): " + (plain ? "restore the SQL script into an empty database (--create NAME)"
                        : "add --clean to drop and recreate the backup's objects, or use --create NAME"));
            }
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot inspect the target database: " + firstLine(e), e);
        }
    }

    private void restoreStreaming(RestoreRequest req, Manifest.StoredObject obj, Path bin, ChildCredentials creds,
            boolean plain, ConnectionString target) throws IOException {
        List<String> cmd = plain
                ? new ArrayList<>(List.of(bin.toString(), "--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--set=VERBOSITY=terse", creds.dbnameArg()))
                : pgRestoreCommand(req, bin, creds);
        if (plain && req.singleTransaction()) {
            cmd.add("--single-transaction");
        }
        try (StoredRead read = reader.open(obj, ObjectReader.Layer.CONTENT)) {
            ChildProcess child = ChildProcess.start(program(plain), cmd, creds.env());
            Feed.Outcome o;
            try (Cancellation.Registration stop = cancellation.register(why -> child.stop())) {
                o = Feed.run(child, read.content());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
            } finally {
                child.stop();
            }
            cancellation.check("during the restore: pg_restore/psql was stopped; the target may hold part of the backup");
            String partial = plain && !req.singleTransaction()
                    ? "; psql had already committed part of the script into " + target.database()
                            + ": restore into a new database (--create) or with --single-transaction"
                    : "; the target may hold part of the backup: restore again with --clean or into a new database";
            if (o.readFailure() instanceof StoredReadException e) {
                throw new PgBackupException(ExitCode.STORAGE, "restore of " + obj.key() + " stopped: " + e.getMessage()
                        + partial, e);
            }
            // An encrypted object is authenticated chunk by chunk up to its final chunk: decrypt what
            // the child did not read, so a stream cut short can never pass as a complete restore.
            IOException tail = null;
            if (obj.encrypted() && o.readFailure() == null && o.exitCode() == 0) {
                try {
                    read.content().transferTo(OutputStream.nullOutputStream());
                } catch (StoredReadException e) {
                    throw new PgBackupException(ExitCode.STORAGE, "restore of " + obj.key() + " stopped: "
                            + e.getMessage() + partial, e);
                } catch (IOException e) {
                    tail = e;
                }
            }
            IOException readFailure = o.readFailure() != null ? o.readFailure() : tail;
            // Hash what the child left unread: after a failure too, since a corrupted object is the
            // likelier cause and deserves the clearer message.
            try {
                read.finish();
            } catch (PgBackupException integrity) {
                String childError = o.exitCode() != 0 ? "; the restore failed with: " + BackupRun.exitMessage(child,
                        o.exitCode()) : "";
                throw new PgBackupException(ExitCode.INTEGRITY, integrity.getMessage() + childError);
            } catch (StoredReadException e) {
                throw new PgBackupException(ExitCode.STORAGE, "restore of " + obj.key() + " stopped: " + e.getMessage()
                        + partial, e);
            }
            if (readFailure != null) {
                // The bytes match the manifest but do not decode: reported as a broken object.
                throw new PgBackupException(ExitCode.INTEGRITY, obj.key() + " matches its manifest but cannot be read: "
                        + readFailure.getMessage() + partial);
            }
            if (o.exitCode() != 0) {
                throw new PgBackupException(ExitCode.RESTORE_FAILED, "restore of " + obj.key() + " failed: "
                        + BackupRun.exitMessage(child, o.exitCode()));
            }
        }
    }

    private static String program(boolean plain) {
        return plain ? "psql" : "pg_restore";
    }

    /** The archive into a scratch file, its SHA-256 checked, for {@code pg_restore --jobs}. */
    private Path download(RestoreRequest req, Manifest.StoredObject obj) throws IOException {
        Path dir = req.tempDir() != null ? req.tempDir() : Path.of(System.getProperty("java.io.tmpdir"));
        ScratchFiles.sweep(dir, "pgbackup-restore");
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < obj.bytes() + obj.bytes() / 10) {
            throw PgBackupException.config("--jobs needs " + obj.bytes() + " bytes of temporary space in " + dir
                    + " but only " + free + " are free: set --temp-dir, or restore without --jobs (streaming)");
        }
        Path tmp = ScratchFiles.create(dir, "pgbackup-restore", ".dump");
        boolean ok = false;
        try (StoredRead read = reader.open(obj, ObjectReader.Layer.CONTENT);
                OutputStream out = Files.newOutputStream(tmp)) {
            try (Cancellation.Registration watch = cancellation.register(why -> closeQuietly(read))) {
                try {
                    io.pgbackup.pipeline.Copy.copy(read.content(), out);
                } catch (io.pgbackup.pipeline.age.AgeDecryption.UndecryptableException e) {
                    read.finish(); // a size or SHA-256 mismatch is the clearer message
                    throw new PgBackupException(ExitCode.INTEGRITY, e.getMessage(), e);
                }
                read.finish();
            } catch (IOException | RuntimeException e) {
                cancellation.check("while downloading the archive");
                throw e;
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) {
                deleteQuietly(tmp);
            }
        }
    }

    private void restoreFromFile(RestoreRequest req, Manifest.StoredObject obj, Path bin, ChildCredentials creds,
            Path archive) throws IOException {
        List<String> cmd = pgRestoreCommand(req, bin, creds);
        cmd.add("--jobs=" + req.jobs());
        cmd.add(archive.toString());
        ChildProcess child = ChildProcess.start("pg_restore", cmd, creds.env());
        try (Cancellation.Registration stop = cancellation.register(why -> child.stop())) {
            int rc = Feed.run(child, InputStream.nullInputStream()).exitCode();
            cancellation.check("during the restore: pg_restore was stopped; the target may hold part of the backup");
            if (rc != 0) {
                throw new PgBackupException(ExitCode.RESTORE_FAILED, "restore of " + obj.key() + " failed: "
                        + BackupRun.exitMessage(child, rc));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
        } finally {
            child.stop();
        }
    }

    private static List<String> pgRestoreCommand(RestoreRequest req, Path bin, ChildCredentials creds) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--no-password", "--exit-on-error", creds.dbnameArg()));
        if (req.createFromArchive()) {
            cmd.add("--create");
        }
        if (req.clean()) {
            cmd.add("--clean");
            cmd.add("--if-exists");
        }
        if (req.noOwner()) {
            cmd.add("--no-owner");
        }
        if (req.noPrivileges()) {
            cmd.add("--no-privileges");
        }
        if (req.singleTransaction()) {
            cmd.add("--single-transaction");
        }
        return cmd;
    }

    private static void deleteQuietly(Path p) {
        try {
            ScratchFiles.delete(p);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", p, e.getMessage());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    private static String firstLine(SQLException e) {
        return Database.firstLine(e.getMessage());
    }
}
