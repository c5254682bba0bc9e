package io.pgbackup.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BoundedPipeTest {

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bounded-pipe-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Waits until {@code counter} has not moved for {@code quietMillis}, returning its value. */
    private static int settle(AtomicInteger counter, long quietMillis) throws InterruptedException {
        int last = -1;
        int now = counter.get();
        while (now != last) {
            last = now;
            Thread.sleep(quietMillis);
            now = counter.get();
        }
        return now;
    }

    @Test
    void tenMegabytesOfRandomDataRoundTrip() throws Exception {
        byte[] data = new byte[10 * 1024 * 1024];
        new Random(42).nextBytes(data);
        BoundedPipe pipe = new BoundedPipe(64 * 1024, 4);

        Future<?> writer = pool.submit(() -> {
            try (OutputStream out = pipe.sink()) {
                Random r = new Random(7);
                int off = 0;
                while (off < data.length) {
                    int n = Math.min(data.length - off, 1 + r.nextInt(100_000)); // odd sizes across chunks
                    out.write(data, off, n);
                    off += n;
                }
                out.write(new byte[0]);
            }
            return null;
        });
        Future<byte[]> reader = pool.submit(() -> {
            try (InputStream in = pipe.source()) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[12_345];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
                return got.toByteArray();
            }
        });
        writer.get(20, TimeUnit.SECONDS);
        byte[] got = reader.get(20, TimeUnit.SECONDS);
        assertThat(got).hasSize(data.length);
        assertThat(got).isEqualTo(data);
    }

    @Test
    void singleByteWritesAndReads() throws Exception {
        BoundedPipe pipe = new BoundedPipe(3, 2);
        Future<?> writer = pool.submit(() -> {
            try (OutputStream out = pipe.sink()) {
                for (int i = 0; i < 10; i++) {
                    out.write(i == 5 ? 0xff : i);
                }
            }
            return null;
        });
        InputStream in = pipe.source();
        int[] got = new int[10];
        for (int i = 0; i < 10; i++) {
            got[i] = in.read();
        }
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 0xff, 6, 7, 8, 9);
        assertThat(in.read()).isEqualTo(-1);
        writer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void writerBlocksWhenCapacityIsReached() throws Exception {
        int chunk = 1024;
        int capacity = 4;
        BoundedPipe pipe = new BoundedPipe(chunk, capacity);
        AtomicInteger accepted = new AtomicInteger();
        int total = 20;
        Future<?> writer = pool.submit(() -> {
            try (OutputStream out = pipe.sink()) {
                byte[] b = new byte[chunk];
                for (int i = 0; i < total; i++) {
                    b[0] = (byte) i;
                    out.write(b); // a full chunk is handed to the queue at once
                    accepted.incrementAndGet();
                }
            }
            return null;
        });

        // Reader paused: exactly `capacity` chunks fit, the next write blocks.
        assertThat(settle(accepted, 300)).isEqualTo(capacity);
        assertThat(writer.isDone()).isFalse();

        // Reading one chunk frees one slot: exactly one more write goes through.
        InputStream in = pipe.source();
        byte[] buf = new byte[chunk];
        assertThat(in.readNBytes(buf, 0, chunk)).isEqualTo(chunk);
        assertThat(buf[0]).isEqualTo((byte) 0);
        assertThat(settle(accepted, 300)).isEqualTo(capacity + 1);
        assertThat(writer.isDone()).isFalse();

        // Draining lets the writer finish, in order.
        for (int i = 1; i < total; i++) {
            assertThat(in.readNBytes(buf, 0, chunk)).isEqualTo(chunk);
            assertThat(buf[0]).isEqualTo((byte) i);
        }
        assertThat(in.read()).isEqualTo(-1);
        writer.get(5, TimeUnit.SECONDS);
        assertThat(accepted.get()).isEqualTo(total);
    }

    @Test
    void failFromTheWriterSideMakesTheReaderThrowWithTheCause() throws Exception {
        BoundedPipe pipe = new BoundedPipe(16, 4);
        OutputStream out = pipe.sink();
        out.write(new byte[40]); // two full chunks queued, 8 bytes buffered
        pipe.fail(new IOException("pg_dump exited with code 1: out of memory"));

        InputStream in = pipe.source();
        assertThatThrownBy(() -> in.read(new byte[16]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("pg_dump exited with code 1: out of memory")
                .hasCauseInstanceOf(IOException.class);
        // It stays failed, and the writer side is failed too.
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("out of memory");
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class).hasMessageContaining("out of memory");
    }

    @Test
    void failWakesABlockedReader() throws Exception {
        BoundedPipe pipe = new BoundedPipe(16, 4);
        CompletableFuture<Throwable> readerResult = new CompletableFuture<>();
        pool.submit(() -> {
            try {
                int n = pipe.source().read(new byte[16]);
                readerResult.complete(new AssertionError("read returned " + n));
            } catch (Throwable t) {
                readerResult.complete(t);
            }
        });
        Thread.sleep(200); // reader is now blocked in take()
        assertThat(readerResult).isNotDone();
        pipe.fail(new IllegalStateException("upload aborted"));
        Throwable t = readerResult.get(5, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("upload aborted")
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void failWakesABlockedWriter() throws Exception {
        BoundedPipe pipe = new BoundedPipe(8, 1);
        CompletableFuture<Throwable> writerResult = new CompletableFuture<>();
        pool.submit(() -> {
            try (OutputStream out = pipe.sink()) {
                for (int i = 0; i < 100; i++) {
                    out.write(new byte[8]);
                }
                writerResult.complete(new AssertionError("writer finished"));
            } catch (Throwable t) {
                writerResult.complete(t);
            }
        });
        Thread.sleep(200);
        assertThat(writerResult).isNotDone();
        pipe.fail(new IOException("S3 returned 500"));
        assertThat(writerResult.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                .hasMessageContaining("S3 returned 500");
    }

    @Test
    void readerCloseMakesAContinuingWriterThrow() throws Exception {
        BoundedPipe pipe = new BoundedPipe(8, 2);
        AtomicInteger accepted = new AtomicInteger();
        CompletableFuture<Throwable> writerResult = new CompletableFuture<>();
        pool.submit(() -> {
            try {
                OutputStream out = pipe.sink();
                for (int i = 0; i < 10_000; i++) {
                    out.write(new byte[8]);
                    accepted.incrementAndGet();
                }
                writerResult.complete(new AssertionError("writer wrote everything"));
            } catch (Throwable t) {
                writerResult.complete(t);
            }
        });
        assertThat(settle(accepted, 300)).isEqualTo(2);
        pipe.source().close();
        assertThat(writerResult.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                .hasMessageContaining("reader closed");
        assertThat(accepted.get()).isLessThan(10_000);
    }

    @Test
    void readerCloseMakesTheBlockedWriteItselfThrow() throws Exception {
        // The write that is blocked when the reader goes away must not "succeed" into a queue
        // nobody will read: the writer would then close() cleanly and believe it delivered.
        BoundedPipe pipe = new BoundedPipe(8, 2);
        AtomicInteger accepted = new AtomicInteger();
        CompletableFuture<Throwable> blockedWrite = new CompletableFuture<>();
        pool.submit(() -> {
            OutputStream out = pipe.sink();
            try {
                out.write(new byte[8]);
                accepted.incrementAndGet();
                out.write(new byte[8]);
                accepted.incrementAndGet();
            } catch (Throwable t) {
                blockedWrite.complete(new AssertionError("unexpected", t));
                return;
            }
            try {
                out.write(new byte[8]); // blocks: pipe is full
                out.close();
                blockedWrite.complete(null);
            } catch (Throwable t) {
                blockedWrite.complete(t);
            }
        });
        assertThat(settle(accepted, 300)).isEqualTo(2);
        Thread.sleep(200);
        assertThat(blockedWrite).as("third write should be blocked").isNotDone();
        pipe.source().close();
        Throwable t = blockedWrite.get(5, TimeUnit.SECONDS);
        assertThat(t).as("write/close after the reader closed must fail").isInstanceOf(IOException.class);
        assertThat(t).hasMessageContaining("reader closed");
    }

    @Test
    void eofAfterCloseIsStable() throws Exception {
        BoundedPipe pipe = new BoundedPipe(4, 4);
        try (OutputStream out = pipe.sink()) {
            out.write(new byte[] {1, 2, 3, 4, 5, 6});
        }
        InputStream in = pipe.source();
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 0)).isZero();
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void closingTheSinkTwiceSendsOneEof() throws Exception {
        BoundedPipe pipe = new BoundedPipe(4, 1);
        OutputStream out = pipe.sink();
        out.close();
        out.close(); // capacity 1: a second EOF would block here
        assertThat(pipe.source().read()).isEqualTo(-1);
    }

    @Test
    void emptyStream() throws Exception {
        BoundedPipe pipe = new BoundedPipe(4, 1);
        pipe.sink().close();
        assertThat(pipe.source().readAllBytes()).isEmpty();
    }

    @Test
    void failAfterEofStillFailsTheReader() throws Exception {
        BoundedPipe pipe = new BoundedPipe(4, 4);
        OutputStream out = pipe.sink();
        out.write(new byte[] {1, 2});
        out.close();
        pipe.fail(new IOException("producer exited 1 after closing"));
        assertThatThrownBy(() -> pipe.source().readAllBytes()).isInstanceOf(IOException.class)
                .hasMessageContaining("producer exited 1");
    }

    @Test
    void firstFailureWins() throws Exception {
        BoundedPipe pipe = new BoundedPipe(4, 4);
        pipe.fail(new IOException("first"));
        pipe.fail(new IOException("second"));
        assertThatThrownBy(() -> pipe.source().read()).hasMessage("first");
    }
}
