package io.pgbackup.backup.inspect;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pg.Feed;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pipeline.age.AgeDecryption;
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
public record VerifyService(ObjectReader reader, PgTools tools, Cancellation cancellation) {
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

    /** Verifies {@code m}; encrypted objects are checked as stored (size and SHA-256) only. */
    public Result verify(Manifest m) {
        return verify(m, false);
    }

    /**
     * Verifies {@code m}. With {@code decrypt}, encrypted objects are decrypted completely too
     * (age authenticates every chunk), then checked like unencrypted ones: without an identity
     * that matches, exit 14 before anything is read.
     */
    public Result verify(Manifest m, boolean decrypt) {
        if (decrypt) {
            reader.requireKeyFor(m);
        }
        List<ObjectCheck> checks = new ArrayList<>();
        // pg_restore --list needs a pg_restore that reads this pg_dump's archives: its major or newer.
        int dumpMajor = io.pgbackup.pg.ToolVersion.parse(m.dump().pgDumpVersion()).map(io.pgbackup.pg.ToolVersion::major)
                .orElse(m.source().serverMajor());
        for (Manifest.StoredObject o : m.objects()) {
            cancellation.check("during verify");
            checks.add(o.encrypted() && !decrypt ? storedOnly(o) : check(o, dumpMajor, m.stem()));
        }
        return new Result(m.stem(), checks);
    }

    /** An encrypted object without a key: what can be known is that the stored bytes are the ones written. */
    private ObjectCheck storedOnly(Manifest.StoredObject o) {
        return reading(o, ObjectReader.Layer.STORED, read -> {
            read.finish();
            return new ObjectCheck(o.key(), true, String.format(Locale.ROOT, "%d bytes, SHA-256 ok, encrypted (contents "
                    + "not checked: verify --decrypt with an identity)", o.bytes()), false);
        });
    }

    private interface ReadCheck {
        ObjectCheck on(StoredRead read) throws IOException;
    }

    /**
     * Runs {@code check} on {@code o} opened at {@code layer}: the store failing is exit 6 for the
     * whole verify; the stored bytes being wrong is this object's failed check.
     */
    private ObjectCheck reading(Manifest.StoredObject o, ObjectReader.Layer layer, ReadCheck check) {
        try (StoredRead read = reader.open(o, layer)) {
            return check.on(read);
        } catch (StoredReadException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot verify " + o.key() + ": " + e.getMessage(), e);
        } catch (PgBackupException e) {
            return integrity(o, e);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot verify " + o.key() + ": " + e.getMessage(), e);
        }
    }

    /** A problem with an object's content; {@code integrity} when the stored bytes are provably wrong. */
    private record Problem(String detail, boolean integrity) {}

    private ObjectCheck check(Manifest.StoredObject o, int dumpMajor, String stem) {
        Path pgRestore = o.format().equals("custom")
                ? tools.require(tools.forArchive(dumpMajor, "backup " + stem), "pg_restore") : null;
        return reading(o, ObjectReader.Layer.CONTENT, read -> {
            Problem readable = switch (o.format()) {
                case "custom" -> archiveList(read.content(), pgRestore);
                case Manifest.CATALOG_FORMAT -> catalog(read.content());
                default -> decompress(read.content());
            };
            read.finish(); // hashes every byte even if the reader stopped early
            if (readable != null) {
                return new ObjectCheck(o.key(), false, readable.detail(), readable.integrity());
            }
            String what = switch (o.format()) {
                case "custom" -> "pg_restore --list ok";
                case Manifest.CATALOG_FORMAT -> "catalog ok";
                default -> "decompresses completely";
            };
            return new ObjectCheck(o.key(), true, String.format(Locale.ROOT, "%d bytes, SHA-256 ok, %s%s", o.bytes(),
                    o.encrypted() ? "decrypts (age authenticated every chunk), " : "", what), false);
        });
    }

    private static ObjectCheck integrity(Manifest.StoredObject o, PgBackupException e) {
        if (e.exitCode() != ExitCode.INTEGRITY) {
            throw e;
        }
        String msg = e.getMessage();
        String detail = msg.contains("does not have it") ? "missing from the store"
                : msg.replaceFirst("^.*? does not match its manifest: ", "size or SHA-256 mismatch: ");
        return new ObjectCheck(o.key(), false, detail, true);
    }

    /** Ciphertext that fails age's authentication is wrong stored bytes, whatever its SHA-256 says. */
    private static Problem unreadable(IOException e, String what) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AgeDecryption.UndecryptableException u) {
                return new Problem(u.getMessage(), true);
            }
        }
        return new Problem(what + e.getMessage(), false);
    }

    private static Problem catalog(InputStream in) throws StoredReadException {
        try {
            io.pgbackup.manifest.ManifestCodec.mapper().readValue(in.readAllBytes(), Manifest.Contents.class);
            return null;
        } catch (StoredReadException e) {
            throw e;
        } catch (IOException e) {
            return unreadable(e, "catalog does not parse: ");
        }
    }

    /** Feeds the archive to {@code pg_restore --list}; returns a problem, or null. */
    private Problem archiveList(InputStream in, Path pgRestore) throws IOException {
        ChildProcess p = ChildProcess.start("pg_restore", List.of(pgRestore.toString(), "--list"), Map.of());
        try (Cancellation.Registration stop = cancellation.register(why -> p.stop())) {
            Feed.Outcome o = Feed.run(p, in);
            if (o.readFailure() instanceof StoredReadException e) {
                throw e;
            }
            if (o.readFailure() != null) {
                return unreadable(o.readFailure(), "cannot be read: ");
            }
            return o.exitCode() == 0 ? null : new Problem(p.describeExit(o.exitCode()), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted");
        } finally {
            p.stop();
        }
    }

    private static Problem decompress(InputStream content) throws StoredReadException {
        try {
            content.transferTo(OutputStream.nullOutputStream());
            return null;
        } catch (StoredReadException e) {
            throw e;
        } catch (IOException e) {
            return unreadable(e, "SQL script does not decompress: ");
        } catch (IllegalArgumentException e) {
            return new Problem("SQL script does not decompress: " + e.getMessage(), false);
        }
    }
}
