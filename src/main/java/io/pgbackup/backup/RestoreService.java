package io.pgbackup.backup;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.Feed;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.pipeline.DigestingInputStream;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a backup into a target database: the custom archive streamed from the store into
 * {@code pg_restore} (or downloaded first for {@code --jobs}), or the SQL script through
 * {@code psql}. Every pg_restore/psql error fails the restore (no "errors ignored on restore"),
 * and the SHA-256 of what was read is checked against the manifest.
 */
public final class RestoreService {
    private static final Logger log = LoggerFactory.getLogger(RestoreService.class);
    private final ObjectStore store;
    private final PgTools tools;

    public RestoreService(ObjectStore store, PgTools tools) {
        this.store = store;
        this.tools = tools;
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
        String program = plain ? "psql" : "pg_restore";
        Path bin = tools.find(program).orElseThrow(() -> PgBackupException.config(program + " not found in "
                + tools.whereToLook() + ": install the PostgreSQL client or set PG_BIN_DIR"));
        if (!plain) {
            checkArchiveReadable(m);
        }
        guardSource(req);
        ConnectionString target = req.target();
        if (req.createDatabase() != null) {
            target = createDatabase(target, req.createDatabase());
        }
        checkTarget(target, req, plain);
        log.info("restoring {} ({}) into {}", m.stem(), obj.key(), target.redacted());
        long t0 = System.nanoTime();
        try (ChildCredentials creds = ChildCredentials.of(target)) {
            if (!plain && req.jobs() > 1) {
                restoreWithJobs(req, obj, bin, creds);
            } else {
                restoreStreaming(req, obj, bin, creds, plain);
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "restore failed: " + e.getMessage(), e);
        }
        log.info("restored {} in {} s", m.stem(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
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

    private static void guardSource(RestoreRequest req) {
        ConnectionString src = req.source();
        if (src == null || req.force() || req.createDatabase() != null) {
            return;
        }
        ConnectionString t = req.target();
        if (Objects.equals(t.get("host").orElse("localhost"), src.get("host").orElse("localhost"))
                && Objects.equals(t.get("port").orElse("5432"), src.get("port").orElse("5432"))
                && t.database().equals(src.database())) {
            throw PgBackupException.config("the restore target " + t.redacted() + " is the source database (PG_URI); "
                    + "restoring over it needs --force");
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
            boolean plain) throws IOException {
        List<String> cmd = plain
                ? new ArrayList<>(List.of(bin.toString(), "--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--set=VERBOSITY=terse", creds.dbnameArg()))
                : pgRestoreCommand(req, bin, creds);
        if (plain && req.singleTransaction()) {
            cmd.add("--single-transaction");
        }
        ChildProcess child = ChildProcess.start(plain ? "psql" : "pg_restore", cmd, creds.env());
        int rc;
        DigestingInputStream in;
        try {
            in = new DigestingInputStream(open(obj));
            InputStream body = plain ? SqlCompression.valueOf(obj.compression().toUpperCase(Locale.ROOT)).decompress(in) : in;
            rc = Feed.run(child, body);
            // Hash what the child left unread: after a failure too, since a corrupted object is the
            // likelier cause and deserves the clearer message.
            in.transferTo(java.io.OutputStream.nullOutputStream());
            in.close();
        } catch (InterruptedException e) {
            child.stop();
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
        } finally {
            child.stop();
        }
        if (rc != 0) {
            String childError = BackupRun.exitMessage(child, rc);
            if (!matches(obj, in)) {
                throw new PgBackupException(ExitCode.INTEGRITY, obj.key() + " does not match its manifest (size or "
                        + "SHA-256): the stored object is corrupted; the restore failed with: " + childError);
            }
            throw new PgBackupException(ExitCode.RESTORE_FAILED, "restore of " + obj.key() + " failed: " + childError);
        }
        checkDigest(obj, in);
    }

    private static boolean matches(Manifest.StoredObject obj, DigestingInputStream in) {
        return in.count() == obj.bytes() && in.sha256Hex().equals(obj.sha256());
    }

    private void restoreWithJobs(RestoreRequest req, Manifest.StoredObject obj, Path bin, ChildCredentials creds)
            throws IOException {
        Path dir = req.tempDir() != null ? req.tempDir() : Path.of(System.getProperty("java.io.tmpdir"));
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < obj.bytes() + obj.bytes() / 10) {
            throw PgBackupException.config("--jobs needs " + obj.bytes() + " bytes of temporary space in " + dir
                    + " but only " + free + " are free: set --temp-dir, or restore without --jobs (streaming)");
        }
        Path tmp = Files.createTempFile(dir, "pgbackup-restore-", ".dump");
        try {
            DigestingInputStream in = new DigestingInputStream(open(obj));
            try (in; var out = Files.newOutputStream(tmp)) {
                io.pgbackup.pipeline.Copy.copy(in, out);
            }
            checkDigest(obj, in); // before anything touches the database
            List<String> cmd = pgRestoreCommand(req, bin, creds);
            cmd.add("--jobs=" + req.jobs());
            cmd.add(tmp.toString());
            ChildProcess child = ChildProcess.start("pg_restore", cmd, creds.env());
            int rc = Feed.run(child, InputStream.nullInputStream());
            if (rc != 0) {
                throw new PgBackupException(ExitCode.RESTORE_FAILED, "restore of " + obj.key() + " failed: "
                        + BackupRun.exitMessage(child, rc));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<String> pgRestoreCommand(RestoreRequest req, Path bin, ChildCredentials creds) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--no-password", "--exit-on-error", creds.dbnameArg()));
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

    private InputStream open(Manifest.StoredObject obj) throws IOException {
        try {
            return store.get(obj.key());
        } catch (ObjectNotFoundException e) {
            throw new PgBackupException(ExitCode.INTEGRITY, "the manifest lists " + obj.key()
                    + " but the store does not have it", e);
        }
    }

    static void checkDigest(Manifest.StoredObject obj, DigestingInputStream in) {
        String sha = in.sha256Hex();
        if (in.count() != obj.bytes() || !sha.equals(obj.sha256())) {
            throw new PgBackupException(ExitCode.INTEGRITY, obj.key() + " does not match its manifest: read "
                    + in.count() + " bytes with SHA-256 " + sha + ", expected " + obj.bytes() + " bytes with " + obj.sha256());
        }
    }

    private static String firstLine(SQLException e) {
        return Database.firstLine(e.getMessage());
    }
}
