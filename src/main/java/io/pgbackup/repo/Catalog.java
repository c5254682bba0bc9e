package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.PendingUpload;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backups in a store, read from manifests only: a stem without a readable manifest is not a
 * backup (it is an interrupted or damaged one, listed by {@link #scan}'s {@code incomplete}).
 * Manifests are fetched in parallel because a bucket may hold thousands.
 */
public record Catalog(ObjectStore store, KeyLayout layout) {
    private static final Logger log = LoggerFactory.getLogger(Catalog.class);
    private static final int READERS = 8;

    /** A manifest that exists but cannot be read: corrupted, or written by a newer pgbackup. */
    public record Unreadable(String stem, String key, String reason, boolean newerFormat) {}

    /**
     * A stem that holds objects or pending uploads but no readable manifest: an interrupted
     * backup, one still running (its in-progress marker is there), or one whose manifest is
     * damaged ({@code unreadable} is then set). {@code pending} are its uploads that never
     * completed: invisible to listings but billed by the store.
     */
    public record Incomplete(String stem, Instant startedAt, List<ObjectInfo> objects, List<PendingUpload> pending,
            Unreadable unreadable) {
        /** What the stem costs: its objects plus the parts of its pending uploads. */
        public long bytes() {
            return objects.stream().mapToLong(ObjectInfo::size).sum() + pending.stream().mapToLong(u -> Math.max(0, u.bytes())).sum();
        }

        public boolean hasMarker() {
            return objects.stream().anyMatch(o -> KeyLayout.isMarker(o.key()));
        }

        public String reason() {
            if (unreadable != null) {
                return "manifest unreadable: " + unreadable.reason();
            }
            return hasMarker() ? "no manifest; in-progress marker (interrupted, or running)" : "no manifest";
        }
    }

    /** Everything under the layout's prefix, read once. */
    public record Scan(List<Manifest> backups, List<Unreadable> unreadable, List<Incomplete> incomplete) {}

    /** Every complete backup, newest first. */
    public List<Manifest> all() {
        return under("");
    }

    /** Complete backups whose relative stem starts with {@code relPrefix} (e.g. a day), newest first. */
    public List<Manifest> under(String relPrefix) {
        return under(relPrefix, stem -> true);
    }

    /** As {@link #under(String)}, reading only the manifests whose stem passes {@code stems}. */
    public List<Manifest> under(String relPrefix, Predicate<String> stems) {
        List<String> keys = new ArrayList<>();
        for (ObjectInfo o : list(relPrefix)) {
            layout.manifestStem(o.key()).filter(stems).ifPresent(s -> keys.add(o.key()));
        }
        List<Manifest> out = new ArrayList<>();
        for (Read r : read(keys)) {
            if (r.manifest() != null) {
                out.add(r.manifest());
            } else {
                log.warn("skipping {}: {}", r.key(), r.problem());
            }
        }
        sortNewestFirst(out);
        return out;
    }

    /**
     * The whole picture in one listing: complete backups, unreadable manifests, and incomplete
     * stems with their pending uploads (which a listing of objects does not show).
     */
    public Scan scan() {
        List<ObjectInfo> objects = list("");
        List<PendingUpload> uploads = pendingUploads();
        Map<String, List<ObjectInfo>> byStem = new TreeMap<>();
        List<String> manifestKeys = new ArrayList<>();
        for (ObjectInfo o : objects) {
            layout.stemOf(o.key()).ifPresent(stem -> byStem.computeIfAbsent(stem, s -> new ArrayList<>()).add(o));
            layout.manifestStem(o.key()).ifPresent(s -> manifestKeys.add(o.key()));
        }
        Map<String, List<PendingUpload>> pendingByStem = new HashMap<>();
        for (PendingUpload u : uploads) {
            layout.stemOf(u.key()).ifPresent(stem -> {
                pendingByStem.computeIfAbsent(stem, s -> new ArrayList<>()).add(u);
                byStem.computeIfAbsent(stem, s -> new ArrayList<>());
            });
        }
        List<Manifest> backups = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        Map<String, Unreadable> unreadableByStem = new HashMap<>();
        java.util.Set<String> complete = new java.util.HashSet<>();
        for (Read r : read(manifestKeys)) {
            String stem = layout.manifestStem(r.key()).orElseThrow();
            if (r.manifest() != null) {
                backups.add(r.manifest());
                complete.add(stem);
            } else {
                Unreadable u = new Unreadable(stem, r.key(), r.problem(), r.newerFormat());
                unreadable.add(u);
                unreadableByStem.put(stem, u);
            }
        }
        sortNewestFirst(backups);
        List<Incomplete> incomplete = new ArrayList<>();
        byStem.forEach((stem, objs) -> {
            if (!complete.contains(stem)) {
                incomplete.add(new Incomplete(stem, KeyLayout.instantOf(stem), List.copyOf(objs),
                        List.copyOf(pendingByStem.getOrDefault(stem, List.of())), unreadableByStem.get(stem)));
            }
        });
        return new Scan(backups, unreadable, incomplete);
    }

    /**
     * What a time window of the store holds, from one listing: the backups started since
     * {@code from} (and at least the newest {@code atLeast}, however old), newest first; the
     * manifests among them that cannot be read; the drill reports of the window, newest first;
     * every object listed (for debris) and the pending uploads.
     */
    public record Window(List<Manifest> backups, List<Unreadable> unreadable, List<io.pgbackup.manifest.DrillReport> drills,
            List<ObjectInfo> objects, List<PendingUpload> pending) {}

    public Window window(Instant from, int atLeast, boolean allDrills) {
        List<ObjectInfo> objects = list("");
        List<String> manifestKeys = new ArrayList<>();
        List<String> reportKeys = new ArrayList<>();
        for (ObjectInfo o : objects) {
            if (layout.manifestStem(o.key()).isPresent()) {
                manifestKeys.add(o.key());
            } else if (KeyLayout.isDrillReport(o.key()) && layout.stemOf(o.key()).isPresent()) {
                reportKeys.add(o.key());
            }
        }
        // Stems sort by time: take the window's, plus the newest atLeast.
        manifestKeys.sort(Comparator.reverseOrder());
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < manifestKeys.size(); i++) {
            String stem = layout.manifestStem(manifestKeys.get(i)).orElseThrow();
            if (i < atLeast || !KeyLayout.instantOf(stem).isBefore(from)) {
                chosen.add(manifestKeys.get(i));
            }
        }
        List<Manifest> backups = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        for (Read r : read(chosen)) {
            if (r.manifest() != null) {
                backups.add(r.manifest());
            } else {
                unreadable.add(new Unreadable(layout.manifestStem(r.key()).orElseThrow(), r.key(), r.problem(),
                        r.newerFormat()));
            }
        }
        sortNewestFirst(backups);
        reportKeys.sort(Comparator.comparing((String k) -> KeyLayout.drillReportTime(k).orElse(Instant.EPOCH)).reversed());
        List<String> reportsToRead = new ArrayList<>();
        for (String k : reportKeys) {
            if (reportsToRead.isEmpty() || allDrills && !KeyLayout.drillReportTime(k).orElse(Instant.EPOCH).isBefore(from)) {
                reportsToRead.add(k);
            }
        }
        List<io.pgbackup.manifest.DrillReport> drills = new ArrayList<>();
        for (String k : reportsToRead) {
            try (InputStream in = store.get(k)) {
                drills.add(ManifestCodec.mapper().readValue(in, io.pgbackup.manifest.DrillReport.class));
            } catch (IOException e) {
                log.warn("skipping the drill report {}: {}", k, e.getMessage());
            }
        }
        List<PendingUpload> pending = pendingUploads();
        return new Window(backups, unreadable, drills, objects, pending);
    }

    /**
     * The newest complete backup, reading manifests newest first until one is readable (one
     * listing, usually one read); empty for an empty store.
     */
    public java.util.Optional<Manifest> newest() {
        List<String> keys = new ArrayList<>();
        for (ObjectInfo o : list("")) {
            layout.manifestStem(o.key()).ifPresent(s -> keys.add(o.key()));
        }
        keys.sort(Comparator.reverseOrder()); // stems sort by time
        for (String k : keys) {
            Read r = readOne(k);
            if (r.manifest() != null) {
                return java.util.Optional.of(r.manifest());
            }
        }
        return java.util.Optional.empty();
    }

    public Manifest read(String key) {
        try (InputStream in = store.get(key)) {
            return ManifestCodec.decode(in);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read manifest " + key + ": " + e.getMessage(), e);
        }
    }

    private static void sortNewestFirst(List<Manifest> out) {
        out.sort(Comparator.comparing(Manifest::startedAt).thenComparing(Manifest::stem).reversed());
    }

    /** One manifest read: the manifest, or why it cannot be read. */
    private record Read(String key, Manifest manifest, String problem, boolean newerFormat) {}

    private Read readOne(String key) {
        try (InputStream in = store.get(key)) {
            return new Read(key, ManifestCodec.decode(in), null, false);
        } catch (ManifestCodec.UnreadableManifestException e) {
            return new Read(key, null, e.getMessage(), e.newerFormat());
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read manifest " + key + ": " + e.getMessage(), e);
        }
    }

    private List<Read> read(List<String> keys) {
        if (keys.size() <= 1) {
            return new ArrayList<>(keys.stream().map(this::readOne).toList());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(READERS, keys.size()), r -> {
            Thread t = new Thread(r, "manifest-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Read>> futures = new ArrayList<>();
            for (String k : keys) {
                futures.add(pool.submit(() -> readOne(k)));
            }
            List<Read> out = new ArrayList<>();
            for (Future<Read> f : futures) {
                out.add(f.get());
            }
            return out.stream().filter(Objects::nonNull).toList();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PgBackupException p ? p
                    : new PgBackupException(ExitCode.STORAGE, "cannot read manifests: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted while reading manifests");
        } finally {
            pool.shutdownNow();
        }
    }

    private List<ObjectInfo> list(String relPrefix) {
        try {
            return store.list(layout.root() + relPrefix);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot list " + store.describe() + ": " + e.getMessage(), e);
        }
    }

    /** The objects stored under a stem, by key (manifest, data, marker, drill reports, a server backup's databases). */
    public Map<String, ObjectInfo> objectsOf(String stem) {
        Map<String, ObjectInfo> out = new LinkedHashMap<>();
        for (ObjectInfo o : list(stem + ".")) {
            out.put(o.key(), o);
        }
        for (ObjectInfo o : list(stem + "/")) { // a server backup's databases
            out.put(o.key(), o);
        }
        return out;
    }

    private List<PendingUpload> pendingUploads() {
        try {
            return store.pendingUploads(layout.root());
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot list the pending uploads of " + store.describe() + ": "
                    + e.getMessage(), e);
        }
    }
}
