package io.pgbackup.backup.take;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * A copy's sink in a tee: once the copy is dropped, its writes are discarded (and the failure of
 * its aborted pipe is no failure of the stream), so the other destinations keep their bytes.
 */
final class Droppable extends OutputStream {
    private final OutputStream sink;
    private final BooleanSupplier dropped;

    Droppable(OutputStream sink, BooleanSupplier dropped) {
        this.sink = sink;
        this.dropped = dropped;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (dropped.getAsBoolean()) {
            return;
        }
        try {
            sink.write(b, off, len);
        } catch (IOException e) {
            if (!dropped.getAsBoolean()) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            sink.close();
        } catch (IOException e) {
            if (!dropped.getAsBoolean()) {
                throw e;
            }
        }
    }
}
