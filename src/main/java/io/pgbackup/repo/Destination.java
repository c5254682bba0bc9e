package io.pgbackup.repo;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.Put;
import io.pgbackup.storage.Retention;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/**
 * Where a backup is committed: a store, the layout of its prefix there, the Object Lock its
 * objects get, and its role. A backup commits to a list of them; each gets every object and its
 * own manifest, written last. The {@link Role#PRIMARY} decides the backup's success; a
 * {@link Role#COPY} that fails is dropped (its objects removed) and reported on its own.
 *
 * @param runStart the start of the run writing to it (null outside a run): every object of the run
 *                 is locked until that plus the lock's length, so a backup is locked as a whole
 */
public record Destination(ObjectStore store, KeyLayout layout, ObjectLock lock, Role role, Instant runStart) {
    public enum Role { PRIMARY, COPY }

    /** The primary store, no lock (tests, directories). */
    public Destination(ObjectStore store, KeyLayout layout) {
        this(store, layout, ObjectLock.OFF, Role.PRIMARY, null);
    }

    public Destination(ObjectStore store, KeyLayout layout, ObjectLock lock, Role role) {
        this(store, layout, lock, role, null);
    }

    /** This destination for a run started at {@code start}. */
    public Destination startedAt(Instant start) {
        return new Destination(store, layout, lock, role, start);
    }

    /** The retention of this run's objects, or null (no lock, or outside a run). */
    public Retention retention() {
        return runStart == null ? null : lock.retentionFrom(runStart);
    }

    /** Stores one of this run's objects, locked as the run's objects are. */
    public ObjectInfo put(String key, InputStream data) throws IOException {
        return put(key, data, 0);
    }

    /** ... expected to grow to at most {@code expectedBytes} (0: unknown; its parts are sized for it). */
    public ObjectInfo put(String key, InputStream data, long expectedBytes) throws IOException {
        return store.put(key, data, new Put(retention(), expectedBytes));
    }

    public boolean required() {
        return role == Role.PRIMARY;
    }

    /** For messages: the store (and the prefix, when there is one). */
    public String describe() {
        return store.describe() + (layout.prefix().isEmpty() ? "" : "/" + layout.prefix());
    }
}
