package io.pgbackup.pipeline.age;

import io.pgbackup.BulkInputStream;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;

/**
 * Decrypts an age stream with identities. age authenticates every 64 KiB chunk and marks the
 * last one final, so altered bytes, a truncated stream or a missing final chunk all fail
 * ({@link UndecryptableException}) instead of yielding short plaintext. Failures of the stream
 * beneath (the store) pass through unchanged, so they are not mistaken for bad ciphertext.
 */
public final class AgeDecryption {
    private AgeDecryption() {}

    /** The stored bytes could not be decrypted: not an age file, no matching stanza, or altered or truncated. */
    public static final class UndecryptableException extends IOException {
        private static final long serialVersionUID = 1L;

        UndecryptableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads the header (file key unwrapped, header MAC checked) now; the payload as it is read.
     *
     * @throws UndecryptableException when the header is bad or no identity unwraps it
     * @throws IOException whatever the stream beneath throws
     */
    public static InputStream open(InputStream stored, AgeIdentities identities, String what) throws IOException {
        Source src = new Source(stored);
        ReadableByteChannel ch;
        try {
            ch = new StandardDecryptingChannelFactory().newDecryptingChannel(src, identities.readers());
        } catch (GeneralSecurityException e) {
            src.rethrowBelow();
            throw new UndecryptableException(what + " cannot be decrypted: its age header is invalid or was not written "
                    + "for the identities given (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            src.rethrowBelow();
            throw new UndecryptableException(what + " cannot be decrypted: " + e.getMessage(), e);
        }
        InputStream plain = Channels.newInputStream(ch);
        return new BulkInputStream() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return plain.read(b, off, len);
                } catch (IOException e) {
                    src.rethrowBelow();
                    throw new UndecryptableException(what + " fails age authentication (" + e.getMessage()
                            + "): the stored bytes were altered or truncated", e);
                }
            }

            @Override
            public void close() throws IOException {
                plain.close();
            }
        };
    }

    /** A channel over the stored stream that remembers the stream's own failure. */
    private static final class Source extends StreamChannel implements ReadableByteChannel {
        private final InputStream in;
        private IOException below;

        Source(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                int n;
                if (dst.hasArray()) {
                    n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                    if (n > 0) {
                        dst.position(dst.position() + n);
                    }
                } else {
                    byte[] b = new byte[Math.min(dst.remaining(), 64 * 1024)];
                    n = in.read(b);
                    if (n > 0) {
                        dst.put(b, 0, n);
                    }
                }
                return n;
            } catch (IOException e) {
                below = e;
                throw e;
            }
        }

        void rethrowBelow() throws IOException {
            if (below != null) {
                throw below;
            }
        }

        @Override
        void closeStream() throws IOException {
            in.close();
        }
    }
}
