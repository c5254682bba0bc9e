package io.pgbackup.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

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
        Thread drain = new Thread(() -> {
            try (InputStream out = child.stdout()) {
                out.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the child is gone
            }
        }, child.name() + "-stdout");
        drain.setDaemon(true);
        drain.start();
        IOException readFailure = null;
        OutputStream stdin = child.stdin();
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
        drain.join(5000);
        return new Outcome(rc, readFailure);
    }
}
