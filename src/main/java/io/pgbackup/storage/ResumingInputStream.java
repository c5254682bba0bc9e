package io.pgbackup.storage;

import io.pgbackup.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A download that survives a broken connection: when a read fails with a transport error it
 * re-opens the object at the byte it had reached (a ranged read) and goes on, so the caller sees
 * one uninterrupted stream and a hash computed over it still proves every byte (rclone's
 * {@code ReOpen} reader). Re-opening goes through the store's {@link RetryPolicy}; after
 * {@link #MAX_RESUMES} resumes, or when re-opening gives up, the read fails with an IOException
 * naming the key: a storage error, never mistaken for corrupted data.
 */
public final class ResumingInputStream extends BulkInputStream {
    private static final Logger log = LoggerFactory.getLogger(ResumingInputStream.class);
    public static final int MAX_RESUMES = 20;

    /** Opens the object at {@code offset}; an offset at or past the end gives an empty stream. */
    @FunctionalInterface
    public interface Opener {
        InputStream open(long offset) throws IOException;
    }

    private final String key;
    private final Opener opener;
    private final RetryPolicy policy;
    private InputStream current;
    private long position;
    private int resumes;
    private boolean closed;

    /** Starts with {@code first}, the stream already opened at offset 0. */
    public ResumingInputStream(String key, InputStream first, Opener opener, RetryPolicy policy) {
        this.key = key;
        this.current = first;
        this.opener = opener;
        this.policy = policy;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (true) {
            try {
                int n = current.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()
                        || e instanceof InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
                    throw e;
                }
                resume(e);
            }
        }
    }

    private void resume(IOException cause) throws IOException {
        if (++resumes > MAX_RESUMES) {
            throw new IOException("download of " + key + " broke " + MAX_RESUMES + " times, giving up at byte "
                    + position + ": " + RetryPolicy.message(cause), cause);
        }
        log.warn("download of {} broke at byte {} ({}); resuming there (resume {})", key, position,
                RetryPolicy.message(cause), resumes);
        closeQuietly(current);
        long at = position;
        current = policy.call("resuming the download of " + key + " at byte " + at, () -> opener.open(at));
    }

    /** Bytes delivered so far. */
    public long position() {
        return position;
    }

    public int resumes() {
        return resumes;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            current.close();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // the connection is broken already
        }
    }
}
