package io.pgbackup.backup.take;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** One stream's bytes into several sinks (a stream's uploads to each destination); closing closes them all. */
final class Tee extends OutputStream {
    private final List<OutputStream> sinks;

    private Tee(List<OutputStream> sinks) {
        this.sinks = sinks;
    }

    /** The sink itself when there is one (the usual case costs nothing), else a tee. */
    static OutputStream of(List<OutputStream> sinks) {
        return sinks.size() == 1 ? sinks.get(0) : new Tee(List.copyOf(sinks));
    }

    @Override
    public void write(int b) throws IOException {
        for (OutputStream s : sinks) {
            s.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (OutputStream s : sinks) {
            s.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        for (OutputStream s : sinks) {
            s.flush();
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (OutputStream s : sinks) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
