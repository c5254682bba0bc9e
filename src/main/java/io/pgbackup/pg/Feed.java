package io.pgbackup.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * Streams an input into a child's stdin while draining its stdout, then waits for it. Failures
 * on the two sides are kept apart: the input failing to read (a download broke) stops the child
 * and is returned as {@link Outcome#readFailure}; the child no longer reading (it failed) just
 * ends the feed, and its exit status tells what happened.
 */
public final class Feed {
    private static final int CHUNK = 256 * 1024;

    private Feed() {}

    /**
     * @param exitCode    the child's exit status
     * @param readFailure why reading the input failed, or null when it was read to its end or the
     *                    child stopped reading first
     */
    public record Outcome(int exitCode, IOException readFailure) {}

    public static Outcome run(ChildProcess child, InputStream in) throws InterruptedException {
        return run(child, in, UnaryOperator.identity(), null);
    }

    /** As {@link #run(ChildProcess, InputStream)}, the input passing through {@code intoStdin} (a filter) on its way. */
    public static Outcome run(ChildProcess child, InputStream in, UnaryOperator<OutputStream> intoStdin)
            throws InterruptedException {
        return run(child, in, intoStdin, null);
    }

    /**
     * As {@link #run(ChildProcess, InputStream)}, the child's stdout copied into {@code stdoutTo},
     * which is closed once the child's output ends (another child's stdin, say). When it stops
     * taking bytes (that child exited), the rest is drained, so this child never blocks on it.
     */
    public static Outcome run(ChildProcess child, InputStream in, OutputStream stdoutTo) throws InterruptedException {
        return run(child, in, UnaryOperator.identity(), stdoutTo);
    }

    private static Outcome run(ChildProcess child, InputStream in, UnaryOperator<OutputStream> intoStdin,
            OutputStream stdoutTo) throws InterruptedException {
        Thread drain = new Thread(() -> {
            try (InputStream out = child.stdout()) {
                if (stdoutTo != null) {
                    try (OutputStream to = stdoutTo) {
                        out.transferTo(to);
                    } catch (IOException broken) {
                        // the reader is gone; its exit status says why
                    }
                }
                out.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the child is gone
            }
        }, child.name() + "-stdout");
        drain.setDaemon(true);
        drain.start();
        IOException readFailure = null;
        OutputStream stdin = intoStdin.apply(child.stdin());
        byte[] buf = new byte[CHUNK];
        try {
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    readFailure = e;
                    child.stop(); // its input is incomplete: it must not finish on a truncated stream
                    break;
                }
                if (n < 0) {
                    break;
                }
                try {
                    stdin.write(buf, 0, n);
                } catch (IOException e) {
                    break; // broken pipe: the child exited, its status says why
                }
            }
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the child is gone
            }
        }
        int rc = child.waitFor();
        drain.join(stdoutTo == null ? 5000 : 0); // another child's stdin is closed only at the end of this output
        return new Outcome(rc, readFailure);
    }
}
