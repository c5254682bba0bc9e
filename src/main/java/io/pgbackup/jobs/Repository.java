package io.pgbackup.jobs;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.config.Settings;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.StoreProbe;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.fs.FsObjectStore;
import io.pgbackup.storage.s3.S3Credentials;
import io.pgbackup.storage.s3.S3ObjectStore;
import io.pgbackup.storage.s3.S3Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where the backups live: an S3 bucket when one is configured, else a local directory with the
 * same key layout; the prefix inside it; whether the store must be probed for conditional writes.
 * Resolved (every value checked) before anything is opened.
 */
public record Repository(S3Settings s3, Path dir, KeyLayout layout, StoreProbe.Mode probe) {

    /** The repository of S3_BUCKET (see {@link S3Settings#resolve}), else of BACKUP_DIR (./backups); S3_PREFIX. */
    public static Repository resolve(Settings s) {
        KeyLayout layout = new KeyLayout(s.get("", "S3_PREFIX").value());
        S3Settings s3 = S3Settings.resolve(s);
        if (s3 == null) {
            // A local directory honours never-overwrite by construction (hard links): nothing to probe.
            return new Repository(null, Path.of(s.get("./backups", "BACKUP_DIR").text()), layout, StoreProbe.Mode.SKIP);
        }
        return new Repository(s3, null, layout, StoreProbe.Mode.resolve(s));
    }

    /**
     * This repository for {@code objects} uploads at once in {@code maxHeap}: see
     * {@link S3Settings#forUploads}; a directory needs no upload buffers.
     */
    public Repository forUploads(int objects, long maxHeap, boolean mayLower) {
        return s3 == null ? this : new Repository(s3.forUploads(objects, maxHeap, mayLower), dir, layout, probe);
    }

    /** How runs lock this repository's prefix: LOCK_WAIT ({@code defaultWait} when unset) and LOCK_TTL. */
    public LockPolicy locking(Settings s, String defaultWait) {
        return LockPolicy.resolve(s, defaultWait, probe);
    }

    /** The store for events and metrics: no endpoint credentials, no keys. */
    public String describe() {
        return s3 != null ? s3.describe() : dir.toAbsolutePath().toString();
    }

    public String prefix() {
        return layout.prefix();
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
        try {
            return new S3ObjectStore(s3);
        } catch (S3Credentials.CredentialsException e) {
            throw PgBackupException.config(e.getMessage());
        }
    }
}
