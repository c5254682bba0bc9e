package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.Version;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectChangedException;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks once per prefix that the store honours the conditional writes pgbackup's guarantees rest
 * on: {@code If-None-Match: *} (never overwrite; the lock: of two runs one wins), atomically under
 * racing writers, and {@code If-Match} (renewing and taking over a lease). The answer is
 * remembered in {@link KeyLayout#storeProbeKey}, so later runs pay one small GET. A store that
 * fails is refused, unless the operator opts out (S3_CONDITIONAL_WRITES=unsafe-skip).
 */
public final class StoreProbe {
    private static final Logger log = LoggerFactory.getLogger(StoreProbe.class);
    static final int RACERS = 12;

    /** Whether to probe: always for S3 (unless opted out); a local directory honours them by construction. */
    public enum Mode {
        PROBE,
        SKIP
    }

    /** What is remembered in the bucket. */
    public record Result(boolean conditionalWrites, String detail, Instant probedAt, String toolVersion) {}

    private StoreProbe() {}

    /**
     * Probes unless the answer is remembered; refuses a store that does not honour conditional
     * writes. Returns a fresh answer that is not stored yet (null when nothing is to be stored):
     * the caller stores it with {@link #remember} once its run wrote something, so a run that
     * fails (a wrong password) leaves the bucket as it found it.
     */
    public static Result ensure(ObjectStore store, KeyLayout layout, Mode mode, Clock clock) {
        if (mode == Mode.SKIP) {
            return null;
        }
        try {
            Result known = remembered(store, layout);
            Result fresh = null;
            if (known == null) {
                known = probe(store, layout, clock);
                fresh = known;
            }
            if (!known.conditionalWrites()) {
                throw PgBackupException.config("the store " + store.describe() + " does not honour conditional writes ("
                        + known.detail() + "): pgbackup's never-overwrite guard and prefix lock rely on them. Use a store "
                        + "that honours them (AWS S3, Cloudflare R2, Tigris, MinIO, Ceph RGW 18+) or set "
                        + "S3_CONDITIONAL_WRITES=unsafe-skip and never run two pgbackup jobs on one prefix at once "
                        + "(delete " + layout.storeProbeKey() + " to probe again)");
            }
            return fresh;
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot check the store " + store.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Result remembered(ObjectStore store, KeyLayout layout) throws IOException {
        try (InputStream in = store.get(layout.storeProbeKey())) {
            return ManifestCodec.mapper().readValue(in, Result.class);
        } catch (ObjectNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            log.warn("{} is unreadable; probing the store again", layout.storeProbeKey());
            store.delete(layout.storeProbeKey());
            return null;
        }
    }

    /** Stores a fresh answer of {@link #ensure}; best effort (the next run probes again if it fails). */
    public static void remember(ObjectStore store, KeyLayout layout, Result r) {
        try {
            store.put(layout.storeProbeKey(), new ByteArrayInputStream(ManifestCodec.encode(r)));
        } catch (ObjectExistsException e) {
            // another run probed at the same time: its answer is as good as ours
        } catch (IOException e) {
            log.debug("could not remember the store probe: {}", e.getMessage());
        }
    }

    /** Runs the probe; scratch objects are removed whatever the outcome. */
    static Result probe(ObjectStore store, KeyLayout layout, Clock clock) throws IOException {
        String token = UUID.randomUUID().toString();
        String single = layout.probeScratchKey(token + "-a");
        String raced = layout.probeScratchKey(token + "-b");
        Instant now = clock.instant();
        try {
            ObjectInfo first = store.put(single, bytes("first"));
            boolean overwrote;
            try {
                store.put(single, bytes("second"));
                overwrote = true;
            } catch (ObjectExistsException e) {
                overwrote = false;
            }
            if (overwrote) {
                return result(false, "a second If-None-Match write of one key succeeded", now);
            }
            int winners = race(store, raced);
            if (winners != 1) {
                return result(false, winners + " of " + RACERS + " racing If-None-Match writers of one new key succeeded",
                        now);
            }
            String version = first.version() != null ? first.version() : store.stat(single).orElseThrow().version();
            try {
                store.replace(single, "stale".getBytes(StandardCharsets.UTF_8), "\"0000000000000000\"");
                return result(false, "an If-Match write with a wrong version succeeded", now);
            } catch (ObjectChangedException expected) {
                // as it must
            }
            try {
                store.replace(single, "renewed".getBytes(StandardCharsets.UTF_8), version);
            } catch (ObjectChangedException e) {
                return result(false, "an If-Match write with the current version was refused", now);
            }
            log.info("{} honours conditional writes (If-None-Match, racing writers, If-Match)", store.describe());
            return result(true, "If-None-Match and If-Match honoured; " + RACERS + " racing writers, one winner", now);
        } finally {
            deleteQuietly(store, single);
            deleteQuietly(store, raced);
        }
    }

    private static int race(ObjectStore store, String key) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS, r -> {
            Thread t = new Thread(r, "store-probe");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> writers = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                byte[] body = ("writer " + i).getBytes(StandardCharsets.UTF_8);
                writers.add(pool.submit(() -> {
                    go.await();
                    try {
                        store.put(key, new ByteArrayInputStream(body));
                        return true;
                    } catch (ObjectExistsException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : writers) {
                winners += f.get() ? 1 : 0;
            }
            return winners;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("store probe interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private static Result result(boolean ok, String detail, Instant at) {
        return new Result(ok, detail, at, Version.tool());
    }

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void deleteQuietly(ObjectStore store, String key) {
        try {
            store.delete(key);
        } catch (IOException e) {
            log.debug("could not delete probe object {}: {}", key, e.getMessage());
        }
    }
}
