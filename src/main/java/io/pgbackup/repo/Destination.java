package io.pgbackup.repo;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectStore;

/**
 * Where a backup is committed: a store and the layout of its prefix there. A backup commits to a
 * list of them; each gets every object and its own manifest, written last.
 */
public record Destination(ObjectStore store, KeyLayout layout) {
    /** For messages: the store (and the prefix, when there is one). */
    public String describe() {
        return store.describe() + (layout.prefix().isEmpty() ? "" : "/" + layout.prefix());
    }
}
