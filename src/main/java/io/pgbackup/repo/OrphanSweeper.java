package io.pgbackup.repo;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.PendingUpload;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what killed runs left behind, so nothing outlives a run that a later run does not clean
 * up. Runs under the prefix lock: every live writer holds the lock for its whole run, so a stem
 * without a manifest whose in-progress marker names another lease than ours belongs to no live
 * run. Its pending (multipart) uploads are aborted, its finished objects and its marker deleted.
 * Pending uploads of stems without a marker are aborted once they are older than the lease TTL.
 * Stems with objects but no marker and no manifest are left to prune (after a day).
 */
public final class OrphanSweeper {
    private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);

    /** What was removed. */
    public record Swept(List<String> stems, int abortedUploads, long abortedBytes, int deletedObjects) {
        /** What a run without a lease sweeps. */
        public static final Swept NOTHING = new Swept(List.of(), 0, 0, 0);

        public boolean isEmpty() {
            return stems.isEmpty() && abortedUploads == 0;
        }
    }

    private OrphanSweeper() {}

    /**
     * @param ours  the lease we hold (its id is the only live one on this prefix)
     * @param ttl   the lease TTL: a marker-less upload older than this is debris
     */
    public static Swept sweep(ObjectStore store, KeyLayout layout, PrefixLock.Lease ours, Duration ttl, Instant now)
            throws IOException {
        Map<String, List<ObjectInfo>> byStem = new HashMap<>();
        Set<String> manifests = new java.util.HashSet<>();
        for (ObjectInfo o : store.list(layout.root())) {
            layout.stemOf(o.key()).ifPresent(s -> byStem.computeIfAbsent(s, k -> new ArrayList<>()).add(o));
            layout.manifestStem(o.key()).ifPresent(manifests::add);
        }
        Map<String, List<PendingUpload>> pending = new HashMap<>();
        for (PendingUpload u : store.pendingUploads(layout.root())) {
            layout.stemOf(u.key()).ifPresent(s -> pending.computeIfAbsent(s, k -> new ArrayList<>()).add(u));
        }
        Set<String> stems = new TreeSet<>(byStem.keySet());
        stems.addAll(pending.keySet());
        List<String> swept = new ArrayList<>();
        int aborted = 0;
        long abortedBytes = 0;
        int deleted = 0;
        for (String stem : stems) {
            if (manifests.contains(stem)) {
                continue; // a backup; its leftovers (if any) are prune's business
            }
            List<ObjectInfo> objects = byStem.getOrDefault(stem, List.of());
            List<PendingUpload> uploads = pending.getOrDefault(stem, List.of());
            StemClaim.Marker marker = marker(store, layout.markerKey(stem), objects);
            boolean dead = marker != null && !ours.id().equals(marker.leaseId());
            for (PendingUpload u : uploads) {
                boolean old = u.initiated() != null && u.initiated().isBefore(now.minus(ttl));
                if (dead || marker == null && old) {
                    store.abort(u);
                    aborted++;
                    abortedBytes += Math.max(0, u.bytes());
                }
            }
            if (dead) {
                for (ObjectInfo o : objects) {
                    if (!KeyLayout.isMarker(o.key())) {
                        store.delete(o.key());
                        deleted++;
                    }
                }
                store.delete(layout.markerKey(stem)); // last: until now it said whose debris this is
                deleted++;
            }
            if (dead || !uploads.isEmpty() && aborted > 0) {
                swept.add(stem);
                log.info("cleaned up the interrupted backup {} ({}): {} pending upload(s) aborted, {} object(s) deleted",
                        stem, marker == null ? "no marker, uploads older than the lease TTL"
                                : "its run " + marker.holder() + " no longer holds the lock", aborted, deleted);
            }
        }
        return new Swept(swept, aborted, abortedBytes, deleted);
    }

    private static StemClaim.Marker marker(ObjectStore store, String key, List<ObjectInfo> objects) throws IOException {
        if (objects.stream().noneMatch(o -> o.key().equals(key))) {
            return null;
        }
        try (InputStream in = store.get(key)) {
            return ManifestCodec.mapper().readValue(in, StemClaim.Marker.class);
        } catch (ObjectNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // A marker of an older pgbackup (plain text) or a damaged one: its run is long gone.
            return new StemClaim.Marker("unreadable", "unreadable", null, null);
        }
    }
}
