package io.pgbackup.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Counts and SHA-256-hashes the bytes read through it. Wrapped around the stream handed to
 * {@code ObjectStore.put}, it measures exactly the bytes that were stored: these are the size
 * and digest the manifest records.
 */
public final class DigestingInputStream extends FilterInputStream {
    private final MessageDigest sha256;
    private long count;

    public DigestingInputStream(InputStream in) {
        super(in);
        this.sha256 = newSha256();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            sha256.update(b, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes would escape the digest: read them instead.
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    public long count() {
        return count;
    }

    /** Lower-case hex SHA-256 of everything read; call once, at end of stream. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}
