package io.pgbackup.pipeline;

import io.pgbackup.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A one-writer, one-reader pipe between threads holding at most {@code capacity} chunks: a full
 * pipe blocks the writer, which is how a slow upload slows pg_dump instead of filling memory.
 *
 * <p>Either side can fail the pipe: {@link #fail(Throwable)} makes the other side's next call
 * throw, so an upload error stops the producer and a producer error makes the upload (and
 * with it the multipart upload) abort instead of completing a truncated object.
 */
public final class BoundedPipe {
    private static final byte[] EOF = new byte[0];
    private final BlockingQueue<byte[]> queue;
    /** Chunks the reader has finished with, reused by the writer: no allocation per chunk. */
    private final BlockingQueue<byte[]> spare;
    private final int chunkSize;
    private volatile Throwable failure;
    private volatile boolean readerClosed;

    public BoundedPipe(int chunkSize, int capacity) {
        this.chunkSize = chunkSize;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.spare = new ArrayBlockingQueue<>(capacity + 2);
    }

    /** Makes both ends throw from now on, with {@code cause} attached. */
    public void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        queue.clear();
        queue.offer(EOF); // wake a blocked reader
    }

    private void check() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw f instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(f.toString(), f);
        }
    }

    private void put(byte[] chunk) throws IOException {
        try {
            checkReader();
            while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                check();
                checkReader();
            }
            // The reader may have closed (and emptied the queue) while we waited: the chunk is lost.
            checkReader();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("pipe write interrupted");
        }
    }

    private void checkReader() throws IOException {
        if (readerClosed) {
            throw new IOException("pipe reader closed");
        }
    }

    /** The writing end; {@code close()} signals end of stream. */
    public OutputStream sink() {
        return new OutputStream() {
            private byte[] buf = new byte[chunkSize];
            private int len;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int n) throws IOException {
                check();
                while (n > 0) {
                    int k = Math.min(n, buf.length - len);
                    System.arraycopy(b, off, buf, len, k);
                    len += k;
                    off += k;
                    n -= k;
                    if (len == buf.length) {
                        flush();
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                if (len > 0) {
                    put(len == buf.length ? buf : Arrays.copyOf(buf, len));
                    byte[] reused = spare.poll();
                    buf = reused != null ? reused : new byte[chunkSize];
                    len = 0;
                }
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    flush();
                    put(EOF);
                }
            }
        };
    }

    /** The reading end. */
    public InputStream source() {
        return new BulkInputStream() {
            private byte[] cur;
            private int pos;
            private boolean eof;

            @Override
            public int read(byte[] b, int off, int n) throws IOException {
                if (n == 0) {
                    return 0;
                }
                while (cur == null || pos == cur.length) {
                    if (cur != null && cur.length == chunkSize) {
                        spare.offer(cur); // fully read: the writer may refill it
                    }
                    cur = null;
                    check();
                    if (eof) {
                        return -1;
                    }
                    try {
                        cur = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("pipe read interrupted");
                    }
                    pos = 0;
                    if (cur == EOF) {
                        check();
                        eof = true;
                        return -1;
                    }
                }
                int k = Math.min(n, cur.length - pos);
                System.arraycopy(cur, pos, b, off, k);
                pos += k;
                return k;
            }

            @Override
            public void close() {
                // Closing after end of stream loses nothing: the writer must not be told otherwise
                // (it may still be returning from the offer of EOF itself).
                if (!eof) {
                    readerClosed = true;
                    queue.clear();
                }
            }
        };
    }
}
