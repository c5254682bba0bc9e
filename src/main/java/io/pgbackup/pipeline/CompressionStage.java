package io.pgbackup.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/** Compresses the stream (the plain SQL script, the globals): zstd level 1, gzip, or nothing. */
public record CompressionStage(SqlCompression compression) implements Stage {
    @Override
    public OutputStream wrap(OutputStream downstream) throws IOException {
        return compression.compress(downstream);
    }
}
