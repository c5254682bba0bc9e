package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A versioned store read as it was at {@code asOf}: each key's newest version written at or before
 * then, unless that is a delete marker. Backups deleted since by someone holding the host's keys
 * (a delete without a version id only hides a version) are listed and read again. Read-only:
 * writes and deletes are refused, so nothing done "as of" a time can change the store.
 */
public final class AsOfStore implements ObjectStore {
    private final ObjectStore store;
    private final Versions versions;
    private final Instant asOf;

    public AsOfStore(ObjectStore store, Versions versions, Instant asOf) {
        this.store = store;
        this.versions = versions;
        this.asOf = asOf;
    }

    /** The version of every key under {@code prefix} that was current at {@code asOf}, keys ascending. */
    private List<ObjectVersion> current(String prefix) throws IOException {
        List<ObjectVersion> out = new ArrayList<>();
        String key = null;
        boolean decided = false;
        for (ObjectVersion v : versions.list(prefix)) { // keys ascending, newest first per key
            if (!v.key().equals(key)) {
                key = v.key();
                decided = false;
            }
            if (decided || v.lastModified().isAfter(asOf)) {
                continue;
            }
            decided = true;
            if (!v.deleteMarker()) {
                out.add(v);
            }
        }
        return out;
    }

    private ObjectVersion version(String key) throws IOException {
        for (ObjectVersion v : current(key)) {
            if (v.key().equals(key)) {
                return v;
            }
        }
        throw new ObjectNotFoundException(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        for (ObjectVersion v : current(prefix)) {
            out.add(new ObjectInfo(v.key(), v.size(), v.lastModified(), v.versionId()));
        }
        return out;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        try {
            ObjectVersion v = version(key);
            return Optional.of(new ObjectInfo(key, v.size(), v.lastModified(), v.versionId()));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        return get(key, 0);
    }

    @Override
    public InputStream get(String key, long offset) throws IOException {
        return versions.get(key, version(key).versionId(), offset);
    }

    @Override
    public ObjectInfo put(String key, InputStream data) throws IOException {
        throw readOnly("write " + key);
    }

    @Override
    public void delete(String key) throws IOException {
        throw readOnly("delete " + key);
    }

    @Override
    public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
        throw readOnly("replace " + key);
    }

    @Override
    public List<PendingUpload> pendingUploads(String prefix) {
        return List.of(); // uploads in progress now are not part of the past
    }

    @Override
    public void abort(PendingUpload upload) throws IOException {
        throw readOnly("abort an upload of " + upload.key());
    }

    @Override
    public Optional<Versions> versions() {
        return Optional.of(versions);
    }

    @Override
    public String describe() {
        return store.describe() + " as of " + asOf;
    }

    private IOException readOnly(String what) {
        return new IOException("cannot " + what + ": " + describe() + " is a read-only view of the past");
    }
}
