package io.pgbackup.repo;

import io.pgbackup.ProcessId;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;

/**
 * Reserves a unique stem for a backup before any data moves. A small in-progress marker
 * ({@link KeyLayout#markerKey}) is created with a conditional write; whoever creates it owns the
 * stem, and a stem that already holds objects (a finished backup from earlier in the same second)
 * is skipped. So two backups started in the same second get {@code HH-mm-ss} and {@code HH-mm-ss-2},
 * and none overwrites another. The marker names the run (its lease and process): one left by a
 * killed run tells the {@link OrphanSweeper} that the stem's objects and uploads are debris.
 * It is deleted when the run ends.
 */
public final class StemClaim implements AutoCloseable {
    private static final int MAX_SEQ = 100;
    private final ObjectStore store;
    private final String markerKey;
    private final String stem;

    /** What a marker says about the run that wrote it ({@code runId} makes every marker unique). */
    public record Marker(String runId, String leaseId, ProcessId holder, Instant startedAt) {}

    private StemClaim(ObjectStore store, String markerKey, String stem) {
        this.store = store;
        this.markerKey = markerKey;
        this.stem = stem;
    }

    public static StemClaim acquire(ObjectStore store, KeyLayout layout, Instant start, Marker marker) throws IOException {
        byte[] body = ManifestCodec.encode(marker);
        for (int seq = 1; seq <= MAX_SEQ; seq++) {
            String stem = KeyLayout.relativeStem(start, seq);
            String key = layout.markerKey(stem);
            try {
                store.put(key, new ByteArrayInputStream(body));
            } catch (ObjectExistsException e) {
                continue;
            }
            // Only a finished or running backup's objects take a stem: other runs' markers lost the
            // race above, and some stores list their own temp files next to a key being written.
            boolean taken = false;
            for (ObjectInfo o : store.list(layout.key(stem, "."))) {
                taken |= KeyLayout.isBackupObject(o.key());
            }
            taken |= !store.list(layout.key(stem, "/")).isEmpty(); // a server backup's databases
            if (!taken) {
                return new StemClaim(store, key, stem);
            }
            store.delete(key);
        }
        throw new IOException("more than " + MAX_SEQ + " backups started in the second " + start);
    }

    public String stem() {
        return stem;
    }

    @Override
    public void close() throws IOException {
        store.delete(markerKey);
    }
}
