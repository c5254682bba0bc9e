package io.pgbackup;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that reads in bulk only: its single-byte {@link #read()} goes through
 * {@link #read(byte[], int, int)}, so subclasses (pipes, decryption, resumed downloads) keep
 * their logic in one place.
 */
public abstract class BulkInputStream extends InputStream {
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
