package io.pgbackup.pipeline.age;

import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import io.pgbackup.pipeline.Stage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;

/**
 * Encrypts the stream to its recipients (age v1, 64 KiB chunks). It comes after compression
 * (ciphertext does not compress) and before the upload's hashing, so the manifest's SHA-256
 * covers the stored bytes and {@code verify} needs no key.
 *
 * <p>age authenticates the last chunk as final, so closing an age stream makes whatever was
 * written a valid, complete-looking file. The stream is therefore closed only on success (the
 * backup's pump closes its sinks only after the producer exited 0); on failure it is abandoned
 * and the upload beneath it aborted. Closing finishes the final chunk, then closes the stream
 * beneath.
 */
public final class AgeStage implements Stage {
    private final AgeRecipients recipients;

    public AgeStage(AgeRecipients recipients) {
        this.recipients = recipients;
    }

    @Override
    public OutputStream wrap(OutputStream downstream) throws IOException {
        try {
            WritableByteChannel enc = new StandardEncryptingChannelFactory().newEncryptingChannel(new Sink(downstream),
                    recipients.writers());
            return Channels.newOutputStream(enc);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start the age encryption: " + e.getMessage(), e);
        }
    }

    /** Encrypts {@code plain} in memory (the small sidecar documents). */
    public byte[] encrypt(byte[] plain) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(plain.length + 512);
        try (OutputStream enc = wrap(out)) {
            enc.write(plain);
        }
        return out.toByteArray();
    }

    /** A channel onto a stream that writes heap buffers without the JDK adapter's 8 KiB copies. */
    private static final class Sink extends StreamChannel implements WritableByteChannel {
        private final OutputStream out;

        Sink(OutputStream out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (src.hasArray()) {
                out.write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
            } else {
                byte[] b = new byte[n];
                src.get(b);
                out.write(b);
            }
            return n;
        }

        @Override
        void closeStream() throws IOException {
            out.close();
        }
    }
}
