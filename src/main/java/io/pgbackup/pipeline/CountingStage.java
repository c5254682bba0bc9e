package io.pgbackup.pipeline;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the bytes that pass (progress lines, the SQL size in the summary). */
public final class CountingStage implements Stage {
    private final AtomicLong counter;

    public CountingStage(AtomicLong counter) {
        this.counter = counter;
    }

    @Override
    public OutputStream wrap(OutputStream downstream) {
        return new FilterOutputStream(downstream) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                counter.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                counter.addAndGet(len);
            }
        };
    }
}
