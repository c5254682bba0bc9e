package io.pgbackup.backup;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pipeline.DigestingInputStream;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a backup without a database: every object is downloaded once, streaming; its size and
 * SHA-256 are compared with the manifest while the same bytes go through {@code pg_restore
 * --list} (the archive) or a full decompression (the SQL script).
 */
public final class VerifyService {
    private final ObjectStore store;
    private final PgTools tools;

    public VerifyService(ObjectStore store, PgTools tools) {
        this.store = store;
        this.tools = tools;
    }

    /** One object's outcome. */
    public record ObjectCheck(String key, boolean ok, String detail) {}

    /** A backup's outcome; ok only if every object is. */
    public record Result(String stem, List<ObjectCheck> checks) {
        public boolean ok() {
            return checks.stream().allMatch(ObjectCheck::ok);
        }
    }

    public Result verify(Manifest m) {
        List<ObjectCheck> checks = new ArrayList<>();
        for (Manifest.StoredObject o : m.objects()) {
            checks.add(check(o));
        }
        return new Result(m.stem(), checks);
    }

    private ObjectCheck check(Manifest.StoredObject o) {
        try (DigestingInputStream in = new DigestingInputStream(store.get(o.key()))) {
            String readable = o.format().equals("custom") ? archiveList(in) : decompress(in, o.compression());
            drain(in); // hash every byte even if the reader stopped early
            if (in.count() != o.bytes()) {
                return new ObjectCheck(o.key(), false, "size " + in.count() + " != manifest " + o.bytes());
            }
            String sha = in.sha256Hex();
            if (!sha.equals(o.sha256())) {
                return new ObjectCheck(o.key(), false, "SHA-256 " + sha + " != manifest " + o.sha256());
            }
            if (readable != null) {
                return new ObjectCheck(o.key(), false, readable);
            }
            return new ObjectCheck(o.key(), true, String.format(Locale.ROOT, "%d bytes, SHA-256 ok, %s", o.bytes(),
                    o.format().equals("custom") ? "pg_restore --list ok" : "decompresses completely"));
        } catch (ObjectNotFoundException e) {
            return new ObjectCheck(o.key(), false, "missing from the store");
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read " + o.key() + ": " + e.getMessage(), e);
        }
    }

    /** Feeds the archive to {@code pg_restore --list}; returns a problem, or null. */
    private String archiveList(InputStream in) throws IOException {
        Path pgRestore = tools.find("pg_restore").orElseThrow(() -> PgBackupException.config(
                "pg_restore not found in " + tools.whereToLook() + ": install the PostgreSQL client or set PG_BIN_DIR"));
        ChildProcess p = ChildProcess.start("pg_restore", List.of(pgRestore.toString(), "--list"), Map.of());
        Thread drainOut = new Thread(() -> {
            try (InputStream o = p.stdout()) {
                o.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the exit code tells
            }
        });
        drainOut.start();
        try (OutputStream stdin = p.stdin()) {
            in.transferTo(stdin);
        } catch (IOException e) {
            // pg_restore stopped reading: its exit code and stderr say why
        }
        try {
            int rc = p.waitFor();
            drainOut.join();
            return rc == 0 ? null : BackupRun.exitMessage(p, rc);
        } catch (InterruptedException e) {
            p.stop();
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted");
        }
    }

    private static String decompress(InputStream in, String compression) {
        try {
            SqlCompression c = SqlCompression.valueOf(compression.toUpperCase(Locale.ROOT));
            InputStream d = c.decompress(new NonClosing(in));
            d.transferTo(OutputStream.nullOutputStream());
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return "SQL script does not decompress: " + e.getMessage();
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }

    /** Keeps a decompressor from closing the digesting stream underneath. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
