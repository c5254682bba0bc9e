package io.pgbackup.backup;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The backups in a store, read from manifests only: a stem without a manifest is not a backup
 * (it is an interrupted one, listed by {@link #incomplete}). Manifests are fetched in parallel
 * because a bucket may hold thousands.
 */
public final class Catalog {
    private static final int READERS = 8;
    private final ObjectStore store;
    private final KeyLayout layout;

    public Catalog(ObjectStore store, KeyLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    public KeyLayout layout() {
        return layout;
    }

    public ObjectStore store() {
        return store;
    }

    /** Every complete backup, newest first. */
    public List<Manifest> all() {
        return under("");
    }

    /** Complete backups whose relative stem starts with {@code relPrefix} (e.g. a day), newest first. */
    public List<Manifest> under(String relPrefix) {
        return under(relPrefix, stem -> true);
    }

    /** As {@link #under(String)}, reading only the manifests whose stem passes {@code stems}. */
    public List<Manifest> under(String relPrefix, java.util.function.Predicate<String> stems) {
        List<String> keys = new ArrayList<>();
        for (ObjectInfo o : list(relPrefix)) {
            layout.manifestStem(o.key()).filter(stems).ifPresent(s -> keys.add(o.key()));
        }
        List<Manifest> out = new ArrayList<>(read(keys).stream().filter(java.util.Objects::nonNull).toList());
        out.sort(Comparator.comparing(Manifest::startedAt).thenComparing(Manifest::stem).reversed());
        return out;
    }

    public Manifest read(String key) {
        try (InputStream in = store.get(key)) {
            return ManifestCodec.decode(in);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read manifest " + key + ": " + e.getMessage(), e);
        }
    }

    /** One unreadable manifest must not hide every other backup: warn and leave it out. */
    private Manifest readOrSkip(String key) {
        try (InputStream in = store.get(key)) {
            return ManifestCodec.decode(in);
        } catch (ManifestCodec.UnreadableManifestException e) {
            org.slf4j.LoggerFactory.getLogger(Catalog.class).warn("skipping {}: {}", key, e.getMessage());
            return null;
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read manifest " + key + ": " + e.getMessage(), e);
        }
    }

    private List<Manifest> read(List<String> keys) {
        if (keys.size() <= 1) {
            return new ArrayList<>(keys.stream().map(this::readOrSkip).toList());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(READERS, keys.size()));
        try {
            List<Future<Manifest>> futures = new ArrayList<>();
            for (String k : keys) {
                futures.add(pool.submit(() -> readOrSkip(k)));
            }
            List<Manifest> out = new ArrayList<>();
            for (Future<Manifest> f : futures) {
                out.add(f.get());
            }
            return out;
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

    /** Stems that hold objects but no manifest: interrupted backups, oldest first. */
    public List<Incomplete> incomplete() {
        Map<String, List<ObjectInfo>> byStem = new TreeMap<>();
        Set<String> complete = new java.util.HashSet<>();
        for (ObjectInfo o : list("")) {
            layout.stemOf(o.key()).ifPresent(stem -> {
                if (layout.manifestStem(o.key()).isPresent()) {
                    complete.add(stem);
                }
                byStem.computeIfAbsent(stem, s -> new ArrayList<>()).add(o);
            });
        }
        List<Incomplete> out = new ArrayList<>();
        byStem.forEach((stem, objects) -> {
            if (!complete.contains(stem)) {
                out.add(new Incomplete(stem, KeyLayout.instantOf(stem), List.copyOf(objects)));
            }
        });
        return out;
    }

    /** An interrupted backup's leftovers. */
    public record Incomplete(String stem, java.time.Instant startedAt, List<ObjectInfo> objects) {
        public long bytes() {
            return objects.stream().mapToLong(ObjectInfo::size).sum();
        }
    }

    /** The objects stored under a stem, by key (manifest, data, drill reports). */
    public Map<String, ObjectInfo> objectsOf(String stem) {
        Map<String, ObjectInfo> out = new LinkedHashMap<>();
        for (ObjectInfo o : list(stem + ".")) {
            out.put(o.key(), o);
        }
        return out;
    }
}
