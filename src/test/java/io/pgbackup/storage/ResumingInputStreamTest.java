package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A download that breaks is re-opened at the byte reached; the bytes delivered are exactly the object's. */
class ResumingInputStreamTest {
    static final byte[] DATA = new byte[1_000_000];

    static {
        new Random(5).nextBytes(DATA);
    }

    final List<Long> opened = new ArrayList<>();
    final RetryPolicy policy = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMillis(1), Duration.ofMillis(1),
            t -> !(t instanceof java.io.FileNotFoundException), d -> { }, System::nanoTime);

    /** The object from {@code offset}, breaking after {@code breakAfter} bytes (-1: never). */
    InputStream from(long offset, long breakAfter) {
        opened.add(offset);
        InputStream in = new ByteArrayInputStream(DATA, (int) offset, DATA.length - (int) offset);
        return new InputStream() {
            long n;

            @Override
            public int read() throws IOException {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (breakAfter >= 0 && n >= breakAfter) {
                    throw new SocketException("Connection reset");
                }
                int k = in.read(b, off, (int) Math.min(len, breakAfter < 0 ? len : Math.max(1, breakAfter - n)));
                n += Math.max(0, k);
                return k;
            }
        };
    }

    @Test
    void everyBreakIsResumedAtTheByteReachedAndTheHashProvesTheWhole() throws Exception {
        ResumingInputStream in = new ResumingInputStream("k", from(0, 300_000), off -> from(off, 250_000), policy);
        byte[] got = in.readAllBytes();
        assertThat(got).isEqualTo(DATA);
        assertThat(opened).containsExactly(0L, 300_000L, 550_000L, 800_000L);
        assertThat(in.resumes()).isEqualTo(3);
        assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(DATA));
    }

    @Test
    void aDownloadThatNeverGetsThroughIsAStorageErrorNamingTheKey() {
        ResumingInputStream in = new ResumingInputStream("prod/x.dump", from(0, 10), off -> from(off, 10), policy);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                .hasMessageContaining("download of prod/x.dump broke " + ResumingInputStream.MAX_RESUMES + " times");
    }

    @Test
    void anInterruptIsNotResumed() {
        InputStream interrupted = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new InterruptedIOException("stopped");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw new InterruptedIOException("stopped");
            }
        };
        ResumingInputStream in = new ResumingInputStream("k", interrupted, off -> from(off, -1), policy);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(InterruptedIOException.class);
        assertThat(opened).isEmpty();
    }

    @Test
    void aReopenThatFailsPermanentlyEndsTheRead() {
        ResumingInputStream in = new ResumingInputStream("k", from(0, 100), off -> {
            throw new java.io.FileNotFoundException("gone");
        }, policy);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(java.io.FileNotFoundException.class);
    }
}
