package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.Version;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.ObjectLockedException;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.ObjectVersion;
import io.pgbackup.storage.Retention;
import io.pgbackup.storage.Versions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks once per prefix that the store enforces Object Lock: a scratch object is written locked
 * for {@link #HOLD}, and deleting that version must be refused. Stores that accept the headers
 * and enforce nothing (S3Mock deletes a "locked" version) are refused, so nobody believes in a lock
 * that is not there, unless the operator accepts it (S3_OBJECT_LOCK_CHECK=unsafe-skip). The answer
 * is remembered in {@link KeyLayout#lockProbeKey}; the scratch object gets a delete marker (its
 * locked version goes with the bucket's noncurrent-version lifecycle rule once {@link #HOLD} ends).
 */
public final class LockProbe {
    private static final Logger log = LoggerFactory.getLogger(LockProbe.class);
    /** How long the scratch version is locked: long enough to try the delete, short enough to vanish. */
    static final Duration HOLD = Duration.ofSeconds(30);

    /** What is remembered in the bucket. */
    public record Result(boolean enforced, String detail, Instant probedAt, String toolVersion) {}

    private LockProbe() {}

    /** Probes unless the answer is remembered; refuses a store that does not enforce the lock. Nothing when off. */
    public static void ensure(ObjectStore store, KeyLayout layout, ObjectLock lock, Clock clock) {
        if (!lock.on() || !lock.verify()) {
            return;
        }
        try {
            Result known = remembered(store, layout);
            if (known == null) {
                known = probe(store, layout, lock, clock);
                remember(store, layout, known);
            }
            if (!known.enforced()) {
                throw PgBackupException.config("the store " + store.describe() + " does not enforce Object Lock ("
                        + known.detail() + "): S3_OBJECT_LOCK=" + lock.mode().label() + " would protect nothing. Use a "
                        + "bucket with Object Lock enabled on a store that enforces it (AWS S3, Ceph RGW, MinIO, ...), or "
                        + "set S3_OBJECT_LOCK_CHECK=unsafe-skip to write the headers anyway (delete "
                        + layout.lockProbeKey() + " to probe again)");
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot check Object Lock on " + store.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Result remembered(ObjectStore store, KeyLayout layout) throws IOException {
        try (InputStream in = store.get(layout.lockProbeKey())) {
            return ManifestCodec.mapper().readValue(in, Result.class);
        } catch (ObjectNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            log.warn("{} is unreadable; probing Object Lock again", layout.lockProbeKey());
            store.delete(layout.lockProbeKey());
            return null;
        }
    }

    private static void remember(ObjectStore store, KeyLayout layout, Result r) {
        try {
            store.put(layout.lockProbeKey(), new ByteArrayInputStream(ManifestCodec.encode(r)));
        } catch (ObjectExistsException e) {
            // another run probed at the same time
        } catch (IOException e) {
            log.debug("could not remember the Object Lock probe: {}", e.getMessage());
        }
    }

    static Result probe(ObjectStore store, KeyLayout layout, ObjectLock lock, Clock clock) throws IOException {
        Instant now = clock.instant();
        Optional<Versions> versions = store.versions();
        if (versions.isEmpty()) {
            return new Result(false, "it keeps no object versions", now, Version.tool());
        }
        String key = layout.probeScratchKey("lock-" + UUID.randomUUID());
        Retention hold = new Retention(lock.mode(), now.plus(HOLD));
        try {
            store.put(key, new ByteArrayInputStream(new byte[] {1}), io.pgbackup.storage.Put.locked(hold));
        } catch (IOException e) {
            return new Result(false, "a locked write was refused: " + e.getMessage(), now, Version.tool());
        }
        try {
            String version = null;
            for (ObjectVersion v : versions.get().list(key)) {
                if (v.key().equals(key) && !v.deleteMarker()) {
                    version = v.versionId();
                    break;
                }
            }
            if (version == null || "null".equals(version)) {
                return new Result(false, "the locked object got no version (versioning is off)", now, Version.tool());
            }
            if (versions.get().retention(key, version).isEmpty()) {
                return new Result(false, "the store kept no retention on a version written with one", now,
                        Version.tool());
            }
            try {
                versions.get().delete(key, version);
                return new Result(false, "a version locked until " + hold.until() + " was deleted", now, Version.tool());
            } catch (ObjectLockedException e) {
                log.info("{} enforces Object Lock ({}): a locked version could not be deleted", store.describe(),
                        lock.mode().label());
                return new Result(true, "a locked version could not be deleted", now, Version.tool());
            }
        } finally {
            try {
                store.delete(key); // a delete marker: the locked version itself ends with its retention
            } catch (IOException e) {
                log.debug("could not hide the Object Lock probe {}: {}", key, e.getMessage());
            }
        }
    }
}
