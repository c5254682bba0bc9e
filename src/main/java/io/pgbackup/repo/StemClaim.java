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
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(StemClaim.class);
    private static final int MAX_SEQ = 100;
    private final List<Destination> places;
    private final String stem;

    /** What a marker says about the run that wrote it ({@code runId} makes every marker unique). */
    public record Marker(String runId, String leaseId, ProcessId holder, Instant startedAt) {}

    private StemClaim(List<Destination> places, String stem) {
        this.places = places;
        this.stem = stem;
    }

    /** The first stem of the second {@code start} free in {@code store} under {@code layout}. */
    public static StemClaim acquire(ObjectStore store, KeyLayout layout, Instant start, Marker marker) throws IOException {
        return acquire(List.of(new Destination(store, layout)), start, marker);
    }

    /**
     * The first stem of the second {@code start} free in every destination: a backup has one stem
     * wherever it is stored. A stem taken in any of them is released in all and the next is tried.
     * A copy that cannot be written is left out and given to {@code lostCopy}; the primary's
     * failure is thrown.
     */
    public static StemClaim acquire(List<Destination> to, Instant start, Marker marker,
            BiConsumer<Destination, IOException> lostCopy) throws IOException {
        byte[] body = ManifestCodec.encode(marker);
        List<Destination> places = new ArrayList<>(to);
        for (int seq = 1; seq <= MAX_SEQ; seq++) {
            String stem = KeyLayout.relativeStem(start, seq);
            List<Destination> claimed = new ArrayList<>();
            boolean taken = false;
            for (Destination d : List.copyOf(places)) {
                try {
                    if (!claim(d, stem, body)) {
                        taken = true;
                        break;
                    }
                    claimed.add(d);
                } catch (IOException | RuntimeException e) {
                    if (d.required()) {
                        release(claimed, stem);
                        throw e;
                    }
                    places.remove(d);
                    lostCopy.accept(d, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
                }
            }
            if (!taken) {
                return new StemClaim(List.copyOf(claimed), stem);
            }
            release(claimed, stem);
        }
        throw new IOException("more than " + MAX_SEQ + " backups started in the second " + start);
    }

    /** As {@link #acquire(List, Instant, Marker, BiConsumer)} where every destination must be written. */
    public static StemClaim acquire(List<Destination> to, Instant start, Marker marker) throws IOException {
        return acquire(to, start, marker, (d, e) -> {
            throw new java.io.UncheckedIOException(e);
        });
    }

    /** Creates the marker of {@code stem} in {@code d}; false (and no marker) when the stem is taken there. */
    private static boolean claim(Destination d, String stem, byte[] body) throws IOException {
        String key = d.layout().markerKey(stem);
        try {
            d.store().put(key, new ByteArrayInputStream(body));
        } catch (ObjectExistsException e) {
            return false;
        }
        // Only a finished or running backup's objects take a stem: other runs' markers lost the
        // race above, and some stores list their own temp files next to a key being written.
        boolean taken = false;
        for (ObjectInfo o : d.store().list(d.layout().stemObjectsPrefix(stem))) {
            taken |= KeyLayout.isBackupObject(o.key());
        }
        taken |= !d.store().list(d.layout().stemDatabasesPrefix(stem)).isEmpty(); // a server backup's databases
        if (taken) {
            d.store().delete(key);
        }
        return !taken;
    }

    private static void release(List<Destination> claimed, String stem) {
        for (Destination d : claimed) {
            try {
                d.store().delete(d.layout().markerKey(stem));
            } catch (IOException e) {
                log.warn("could not delete the marker {}: {} (the next locked run removes it)",
                        d.layout().markerKey(stem), e.getMessage());
            }
        }
    }

    public String stem() {
        return stem;
    }

    /** Where this stem is claimed (a copy that could not be written is not). */
    public List<Destination> places() {
        return places;
    }

    /**
     * Deletes the markers in every destination; the primary's failure is thrown once all were
     * tried, a copy's only logged (its next locked run sweeps the marker).
     */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Destination d : places) {
            try {
                d.store().delete(d.layout().markerKey(stem));
            } catch (IOException e) {
                if (!d.required()) {
                    log.warn("could not delete the marker {} in {}: {} (the next locked run removes it)",
                            d.layout().markerKey(stem), d.describe(), e.getMessage());
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
