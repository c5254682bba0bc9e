package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ObjectStore} adapter must pass (restic's backend test suite is the
 * model): subclasses supply a fresh, empty store and a check for leftovers (temp files,
 * incomplete multipart uploads).
 */
public abstract class ObjectStoreContract {
    /** Bigger than the S3 adapter's part size in these tests, so multipart paths run. */
    protected static final int LARGE = 12 * 1024 * 1024 + 123;
    protected ObjectStore store;

    protected abstract ObjectStore newStore() throws Exception;

    /** Fails if the store holds anything a failed put must not leave: temp files, open uploads. */
    protected abstract void assertNoLeftovers(ObjectStore store) throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    protected static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A stream that hides its length (no available(), no mark): "unknown length" for real. */
    protected static InputStream unknownLength(byte[] data) {
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        return new InputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, Math.min(len, 10_000));
            }
        };
    }

    /** Yields {@code n} random bytes, then throws: a producer dying mid-stream. */
    protected static InputStream failingAfter(int n) {
        byte[] data = random(n, 7);
        InputStream ok = unknownLength(data);
        return new InputStream() {
            @Override
            public int read() throws IOException {
                int b = ok.read();
                if (b < 0) {
                    throw new IOException("producer died");
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int r = ok.read(b, off, len);
                if (r < 0) {
                    throw new IOException("producer died");
                }
                return r;
            }
        };
    }

    protected static byte[] read(ObjectStore s, String key) throws IOException {
        try (InputStream in = s.get(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void putThenGetReturnsTheSameBytes() throws Exception {
        byte[] data = "hello, backup".getBytes(StandardCharsets.UTF_8);
        ObjectInfo info = store.put("a/b/hello.txt", unknownLength(data));
        assertThat(info.size()).isEqualTo(data.length);
        assertThat(read(store, "a/b/hello.txt")).isEqualTo(data);
        assertThat(store.stat("a/b/hello.txt")).get().extracting(ObjectInfo::size).isEqualTo((long) data.length);
    }

    @Test
    void putOfUnknownLengthLargerThanAPartRoundTrips() throws Exception {
        byte[] data = random(LARGE, 1);
        ObjectInfo info = store.put("big/object.bin", unknownLength(data));
        assertThat(info.size()).isEqualTo(LARGE);
        assertThat(read(store, "big/object.bin")).isEqualTo(data);
        assertThat(store.stat("big/object.bin").orElseThrow().size()).isEqualTo(LARGE);
    }

    @Test
    void emptyObjectsAreObjects() throws Exception {
        store.put("empty", unknownLength(new byte[0]));
        assertThat(read(store, "empty")).isEmpty();
        assertThat(store.stat("empty").orElseThrow().size()).isZero();
    }

    @Test
    void putNeverOverwritesAndLeavesTheFirstObjectUnchanged() throws Exception {
        store.put("k/one", unknownLength("first".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> store.put("k/one", unknownLength("second".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ObjectExistsException.class);
        assertThatThrownBy(() -> store.put("k/one", unknownLength(random(LARGE, 2))))
                .isInstanceOf(ObjectExistsException.class);
        assertThat(new String(read(store, "k/one"), StandardCharsets.UTF_8)).isEqualTo("first");
        assertNoLeftovers(store);
    }

    @Test
    protected void concurrentPutsToOneKeyLetExactlyOneWin() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] data = ("writer " + i).getBytes(StandardCharsets.UTF_8);
                Callable<Boolean> put = () -> {
                    try {
                        store.put("race/key", unknownLength(data));
                        return true;
                    } catch (ObjectExistsException e) {
                        return false;
                    }
                };
                results.add(pool.submit(put));
            }
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(new String(read(store, "race/key"), StandardCharsets.UTF_8)).startsWith("writer ");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingKeys() throws Exception {
        assertThatThrownBy(() -> store.get("no/such/key")).isInstanceOf(ObjectNotFoundException.class);
        assertThat(store.stat("no/such/key")).isEmpty();
        store.delete("no/such/key"); // idempotent: no exception
    }

    @Test
    void deleteRemovesOnlyThatKey() throws Exception {
        store.put("d/1", unknownLength(new byte[] {1}));
        store.put("d/2", unknownLength(new byte[] {2}));
        store.delete("d/1");
        assertThat(store.stat("d/1")).isEmpty();
        assertThat(read(store, "d/2")).containsExactly(2);
        store.delete("d/1");
    }

    @Test
    void listIsOrderedByKeyAndFilteredByPrefix() throws Exception {
        List<String> keys = new ArrayList<>(List.of("p/2026/11/27/03-00-00.dump", "p/2026/11/27/03-00-00.json",
                "p/2026/11/26/23-59-59.json", "p/2027/01/01/00-00-00.dump", "q/other", "p2/sibling", "p/a"));
        Collections.shuffle(keys, new Random(3));
        for (String k : keys) {
            store.put(k, unknownLength(k.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(store.list("p/").stream().map(ObjectInfo::key)).containsExactly(
                "p/2026/11/26/23-59-59.json", "p/2026/11/27/03-00-00.dump", "p/2026/11/27/03-00-00.json",
                "p/2027/01/01/00-00-00.dump", "p/a");
        assertThat(store.list("p/2026/11/27/03-00-00.").stream().map(ObjectInfo::key))
                .containsExactly("p/2026/11/27/03-00-00.dump", "p/2026/11/27/03-00-00.json");
        assertThat(store.list("p").stream().map(ObjectInfo::key)).contains("p2/sibling", "p/a").hasSize(6);
        assertThat(store.list("")).hasSize(7);
        assertThat(store.list("nothing/")).isEmpty();
        assertThat(store.list("p/a").get(0).size()).isEqualTo(3);
    }

    @Test
    void listReturnsEveryPageBeyondAThousandKeys() throws Exception {
        int n = 1005;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ObjectInfo>> puts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = String.format("many/%05d", i);
                puts.add(pool.submit(() -> store.put(key, unknownLength(new byte[] {1}))));
            }
            for (Future<ObjectInfo> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<ObjectInfo> all = store.list("many/");
        assertThat(all).hasSize(n);
        assertThat(all.get(0).key()).isEqualTo("many/00000");
        assertThat(all.get(n - 1).key()).isEqualTo("many/01004");
    }

    @Test
    void aStreamThatFailsMidwayLeavesNothingBehind() throws Exception {
        assertThatThrownBy(() -> store.put("fail/small", failingAfter(1000))).isInstanceOf(IOException.class)
                .hasMessageContaining("producer died");
        assertThatThrownBy(() -> store.put("fail/large", failingAfter(LARGE))).isInstanceOf(IOException.class)
                .hasMessageContaining("producer died");
        assertThat(store.stat("fail/small")).isEmpty();
        assertThat(store.stat("fail/large")).isEmpty();
        assertThat(store.list("fail/")).isEmpty();
        assertNoLeftovers(store);
        // and the key is still free for a later, successful put
        store.put("fail/large", unknownLength(new byte[] {42}));
        assertThat(read(store, "fail/large")).containsExactly(42);
    }

    @Test
    void aRangedGetStartsAtTheOffsetAndPastTheEndIsEmpty() throws Exception {
        byte[] data = random(LARGE, 11);
        store.put("range/object", unknownLength(data));
        try (InputStream in = store.get("range/object", 1234)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 1234, data.length));
        }
        try (InputStream in = store.get("range/object", LARGE)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        try (InputStream in = store.get("range/object", LARGE + 10)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThatThrownBy(() -> store.get("range/missing", 10)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void aStreamClosedEarlyDoesNotReadTheRest() throws Exception {
        store.put("early/object", unknownLength(random(LARGE, 12)));
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            try (InputStream in = store.get("early/object")) {
                assertThat(in.read()).isNotNegative();
            }
        }
        // 20 reads of 12 MiB would take seconds; 20 aborted ones take a fraction of that
        assertThat(System.nanoTime() - t0).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void replaceSwapsOnlyTheExpectedVersion() throws Exception {
        ObjectInfo first = store.put("lease/key", unknownLength("one".getBytes(StandardCharsets.UTF_8)));
        String v1 = first.version() != null ? first.version() : store.stat("lease/key").orElseThrow().version();
        assertThat(v1).isNotNull();
        assertThatThrownBy(() -> store.replace("lease/key", "x".getBytes(StandardCharsets.UTF_8), "\"not-the-version\""))
                .isInstanceOf(ObjectChangedException.class);
        assertThat(new String(read(store, "lease/key"), StandardCharsets.UTF_8)).isEqualTo("one");
        ObjectInfo second = store.replace("lease/key", "two".getBytes(StandardCharsets.UTF_8), v1);
        assertThat(new String(read(store, "lease/key"), StandardCharsets.UTF_8)).isEqualTo("two");
        assertThat(second.version()).isNotEqualTo(v1);
        assertThat(store.stat("lease/key").orElseThrow().version()).isEqualTo(second.version());
        assertThatThrownBy(() -> store.replace("lease/key", "three".getBytes(StandardCharsets.UTF_8), v1))
                .as("a stale version").isInstanceOf(ObjectChangedException.class);
        assertThatThrownBy(() -> store.replace("lease/missing", "x".getBytes(StandardCharsets.UTF_8), v1))
                .isInstanceOf(ObjectChangedException.class);
    }

    @Test
    void aFailedPutLeavesNoPendingUpload() throws Exception {
        assertThatThrownBy(() -> store.put("pending/large", failingAfter(LARGE))).isInstanceOf(IOException.class);
        assertThat(store.pendingUploads("pending/")).isEmpty();
    }

    @Test
    void invalidKeysAreRefused() {
        for (String bad : new String[] {"", "/abs", "a//b", "a/../b", "./a", "a/"}) {
            assertThatThrownBy(() -> store.put(bad, unknownLength(new byte[0])))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
