package io.pgbackup.jobs;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.config.Settings;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.StoreProbe;
import io.pgbackup.repo.Destination;
import io.pgbackup.storage.AsOfStore;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.fs.FsObjectStore;
import io.pgbackup.storage.s3.S3Credentials;
import io.pgbackup.storage.s3.S3ObjectStore;
import io.pgbackup.storage.s3.S3Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where the backups live: an S3 bucket when one is configured, else a local directory with the
 * same key layout; the prefix inside it; whether the store must be probed for conditional writes;
 * and, for reading the past of a versioned bucket, the time it is read as of (null: now).
 * Resolved (every value checked) before anything is opened.
 *
 * @param name "primary", or "copy" for the second store (COPY_ settings)
 */
public record Repository(String name, S3Settings s3, Path dir, KeyLayout layout, StoreProbe.Mode probe, Instant asOf) {
    public static final String PRIMARY = "primary";
    public static final String COPY = "copy";

    /** The repository of S3_BUCKET (see {@link S3Settings#resolve}), else of BACKUP_DIR (./backups); S3_PREFIX. */
    public static Repository resolve(Settings s) {
        return resolve(PRIMARY, s);
    }

    /** The second store (COPY_S3_BUCKET or COPY_BACKUP_DIR and the rest of its COPY_ settings), or null. */
    public static Repository copy(Map<String, String> env) {
        return Settings.hasCopy(env) ? resolve(COPY, Settings.copyOf(env)) : null;
    }

    private static Repository resolve(String name, Settings s) {
        KeyLayout layout = new KeyLayout(s.get("", "S3_PREFIX").value());
        S3Settings s3 = S3Settings.resolve(s);
        if (s3 == null) {
            if (s.get("off", "S3_OBJECT_LOCK").text().matches("(?i)governance|compliance")) {
                throw PgBackupException.config("S3_OBJECT_LOCK needs an S3 bucket (S3_BUCKET): a local directory "
                        + "cannot be locked against the host that writes it");
            }
            // A local directory honours never-overwrite by construction (hard links): nothing to probe.
            return new Repository(name, null, Path.of(s.get("./backups", "BACKUP_DIR").text()), layout,
                    StoreProbe.Mode.SKIP, null);
        }
        return new Repository(name, s3, null, layout,
                s3.where().conditionalWrites() ? StoreProbe.Mode.PROBE : StoreProbe.Mode.SKIP, null);
    }

    /**
     * This repository for {@code objects} uploads at once in {@code maxHeap}: see
     * {@link S3Settings#forUploads}; a directory needs no upload buffers.
     */
    public Repository forUploads(int objects, long maxHeap, boolean mayLower) {
        return s3 == null ? this : new Repository(name, s3.forUploads(objects, maxHeap, mayLower), dir, layout, probe,
                asOf);
    }

    /** The uploads of objects expected at {@code expected} bytes here (none for a directory: it buffers nothing). */
    public java.util.List<S3Settings.Upload> uploads(java.util.List<Long> expected) {
        return s3 == null ? java.util.List.of() : expected.stream().map(e -> new S3Settings.Upload(s3.parts(), e)).toList();
    }

    /** How runs lock this repository's prefix: LOCK_WAIT ({@code defaultWait} when unset) and LOCK_TTL. */
    public LockPolicy locking(Settings s, String defaultWait) {
        return LockPolicy.resolve(s, defaultWait, probe);
    }

    /**
     * This repository read as it was at {@code time} (null: now): a versioned bucket's versions then
     * current, read-only. A directory keeps no versions: exit 2.
     */
    public Repository asOf(Instant time) {
        if (time != null && s3 == null) {
            throw PgBackupException.config("--as-of reads the versions of a versioned S3 bucket; " + dir
                    + " is a directory");
        }
        return new Repository(name, s3, dir, layout, probe, time);
    }

    /** The Object Lock backups get here ({@link ObjectLock#OFF} for a directory). */
    public ObjectLock lock() {
        return s3 == null ? ObjectLock.OFF : s3.lock();
    }

    /** The store for events and metrics: no endpoint credentials, no keys. */
    public String describe() {
        return (s3 != null ? s3.describe() : dir.toAbsolutePath().toString()) + (asOf == null ? "" : " as of " + asOf);
    }

    public String prefix() {
        return layout.prefix();
    }

    /** The store and layout backups are committed to here, with its lock, in {@code role}. */
    public Destination destination(ObjectStore store) {
        return new Destination(store, layout, lock(), COPY.equals(name) ? Destination.Role.COPY : Destination.Role.PRIMARY);
    }

    /** Runs {@code work} on the opened store, then closes it; a failing close is a storage failure. */
    public <T> T with(Function<ObjectStore, T> work) {
        try (ObjectStore objects = open()) {
            return work.apply(objects);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, e.getMessage(), e);
        }
    }

    /** Runs {@code work} on the opened store, then closes it. */
    public void use(Consumer<ObjectStore> work) {
        with(objects -> {
            work.accept(objects);
            return null;
        });
    }

    /** Opens the store; credentials that cannot be found are exit 2 naming every source tried. */
    public ObjectStore open() {
        // Every command that opens the store reads manifests or leases next: Jackson's ~700
        // classes load on another core while the S3 client starts (tick: ~0.3 s sooner).
        Warmup.inBackground("json", ManifestCodec::mapper);
        if (s3 == null) {
            return new FsObjectStore(dir);
        }
        S3ObjectStore store;
        try {
            store = new S3ObjectStore(s3);
        } catch (S3Credentials.CredentialsException e) {
            throw PgBackupException.config((COPY.equals(name) ? "the second store (COPY_): " : "") + e.getMessage());
        }
        return asOf == null ? store : new AsOfStore(store, store.versions().orElseThrow(), asOf);
    }
}
