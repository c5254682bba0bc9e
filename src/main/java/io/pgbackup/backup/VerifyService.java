package io.pgbackup.backup;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pg.Feed;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.repo.StoredRead;
import io.pgbackup.repo.StoredReadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a backup without a database: every object is downloaded once, streaming, through the
 * one {@link ObjectReader}; its size and SHA-256 are compared with the manifest while the same
 * bytes go through {@code pg_restore --list} (the archive) or a full decompression (the SQL
 * script). A store that cannot be read is a storage error (exit 6), not a failed check.
 */
public final class VerifyService {
    private final ObjectReader reader;
    private final PgTools tools;
    private final Cancellation cancellation;

    public VerifyService(ObjectReader reader, PgTools tools, Cancellation cancellation) {
        this.reader = reader;
        this.tools = tools;
        this.cancellation = cancellation;
    }

    /** One object's outcome; {@code integrity} when its bytes do not match the manifest (or it is missing). */
    public record ObjectCheck(String key, boolean ok, String detail, boolean integrity) {}

    /** A backup's outcome; ok only if every object is. */
    public record Result(String stem, List<ObjectCheck> checks) {
        public boolean ok() {
            return checks.stream().allMatch(ObjectCheck::ok);
        }

        public boolean integrityFailure() {
            return checks.stream().anyMatch(ObjectCheck::integrity);
        }
    }

    public Result verify(Manifest m) {
        List<ObjectCheck> checks = new ArrayList<>();
        for (Manifest.StoredObject o : m.objects()) {
            cancellation.check("during verify");
            checks.add(check(o));
        }
        return new Result(m.stem(), checks);
    }

    private ObjectCheck check(Manifest.StoredObject o) {
        try (StoredRead read = reader.open(o, ObjectReader.Layer.CONTENT)) {
            String readable = o.format().equals("custom") ? archiveList(read.content()) : decompress(read.content());
            read.finish(); // hashes every byte even if the reader stopped early
            if (readable != null) {
                return new ObjectCheck(o.key(), false, readable, false);
            }
            return new ObjectCheck(o.key(), true, String.format(Locale.ROOT, "%d bytes, SHA-256 ok, %s", o.bytes(),
                    o.format().equals("custom") ? "pg_restore --list ok" : "decompresses completely"), false);
        } catch (StoredReadException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot verify " + o.key() + ": " + e.getMessage(), e);
        } catch (PgBackupException e) {
            if (e.exitCode() != ExitCode.INTEGRITY) {
                throw e;
            }
            String msg = e.getMessage();
            String detail = msg.contains("does not have it") ? "missing from the store"
                    : msg.replaceFirst("^.*? does not match its manifest: ", "size or SHA-256 mismatch: ");
            return new ObjectCheck(o.key(), false, detail, true);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot verify " + o.key() + ": " + e.getMessage(), e);
        }
    }

    /** Feeds the archive to {@code pg_restore --list}; returns a problem, or null. */
    private String archiveList(InputStream in) throws IOException {
        Path pgRestore = tools.find("pg_restore").orElseThrow(() -> PgBackupException.config(
                "pg_restore not found in " + tools.whereToLook() + ": install the PostgreSQL client or set PG_BIN_DIR"));
        ChildProcess p = ChildProcess.start("pg_restore", List.of(pgRestore.toString(), "--list"), Map.of());
        try (Cancellation.Registration stop = cancellation.register(why -> p.stop())) {
            Feed.Outcome o = Feed.run(p, in);
            if (o.readFailure() instanceof StoredReadException e) {
                throw e;
            }
            if (o.readFailure() != null) {
                return "cannot be read: " + o.readFailure().getMessage();
            }
            return o.exitCode() == 0 ? null : BackupRun.exitMessage(p, o.exitCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted");
        } finally {
            p.stop();
        }
    }

    private static String decompress(InputStream content) throws StoredReadException {
        try {
            content.transferTo(OutputStream.nullOutputStream());
            return null;
        } catch (StoredReadException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            return "SQL script does not decompress: " + e.getMessage();
        }
    }
}
