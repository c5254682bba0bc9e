package io.pgbackup.backup;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reserves a unique stem for a backup before any data moves. A small {@code <stem>.inprogress}
 * marker is created with a conditional write; whoever creates it owns the stem, and a stem that
 * already holds objects (a finished backup from earlier in the same second) is skipped. So two
 * backups started in the same second get {@code HH-mm-ss} and {@code HH-mm-ss-2}, and none
 * overwrites another. The marker is deleted when the run ends; one left by a killed run marks the
 * stem's other objects as leftovers ({@code list --incomplete}, prune).
 */
final class StemClaim implements AutoCloseable {
    static final String MARKER_SUFFIX = ".inprogress";
    private static final int MAX_SEQ = 100;
    private final ObjectStore store;
    private final String markerKey;
    private final String stem;

    private StemClaim(ObjectStore store, String markerKey, String stem) {
        this.store = store;
        this.markerKey = markerKey;
        this.stem = stem;
    }

    static StemClaim acquire(ObjectStore store, KeyLayout layout, Instant start, String owner) throws IOException {
        for (int seq = 1; seq <= MAX_SEQ; seq++) {
            String stem = KeyLayout.relativeStem(start, seq);
            String marker = layout.key(stem, MARKER_SUFFIX);
            try {
                store.put(marker, new ByteArrayInputStream(owner.getBytes(StandardCharsets.UTF_8)));
            } catch (ObjectExistsException e) {
                continue;
            }
            // Only a finished or running backup's objects take a stem: other runs' markers lost the
            // race above, and some stores list their own temp files next to a key being written.
            boolean taken = false;
            for (ObjectInfo o : store.list(layout.key(stem, "."))) {
                taken |= KeyLayout.isBackupObject(o.key());
            }
            if (!taken) {
                return new StemClaim(store, marker, stem);
            }
            store.delete(marker);
        }
        throw new IOException("more than " + MAX_SEQ + " backups started in the second " + start);
    }

    String stem() {
        return stem;
    }

    @Override
    public void close() throws IOException {
        store.delete(markerKey);
    }
}
