package io.pgbackup.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One step a stream's bytes pass through on their way to the store (count, compress, encrypt),
 * the way pgBackRest's filters or okio's sinks are layered. A stage wraps the stream below it;
 * what it measured (rows, bytes) it keeps for the manifest, read after the stream was closed.
 *
 * <p>Closing the wrapped stream finishes this stage (a compressor's last frame, an age stream's
 * final chunk) and then closes the one below. On failure the pipe at the bottom is failed first,
 * so whatever a stage writes while it is torn down never reaches the store.
 */
public interface Stage {
    OutputStream wrap(OutputStream downstream) throws IOException;

    /** Wraps {@code bottom} with {@code stages}, the first stage outermost (it sees the bytes first). */
    static OutputStream chain(java.util.List<? extends Stage> stages, OutputStream bottom) throws IOException {
        OutputStream out = bottom;
        for (int i = stages.size() - 1; i >= 0; i--) {
            out = stages.get(i).wrap(out);
        }
        return out;
    }
}
