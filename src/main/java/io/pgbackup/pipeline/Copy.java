package io.pgbackup.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Bulk copies with a large buffer: InputStream.transferTo's 8-16 KiB costs a syscall per chunk. */
public final class Copy {
    private static final int BUFFER = 1024 * 1024;

    private Copy() {}

    /** Copies {@code in} to {@code out} until end of stream; returns the byte count. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
