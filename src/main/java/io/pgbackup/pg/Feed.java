package io.pgbackup.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Streams an input into a child's stdin while draining its stdout, then waits for it. A child that
 * stops reading early (it failed) does not make this throw: its exit code tells what happened.
 */
public final class Feed {
    private Feed() {}

    /** Returns the child's exit status; {@code in} is read to the end only if the child keeps reading. */
    public static int run(ChildProcess child, InputStream in) throws InterruptedException {
        Thread drain = new Thread(() -> {
            try (InputStream out = child.stdout()) {
                out.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the child is gone
            }
        }, child.name() + "-stdout");
        drain.setDaemon(true);
        drain.start();
        try (OutputStream stdin = child.stdin()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                stdin.write(buf, 0, n);
            }
        } catch (IOException e) {
            // Broken pipe (the child exited) or a failed download: the caller checks both.
            if (child.isAlive()) {
                child.stop();
            }
        }
        int rc = child.waitFor();
        drain.join(5000);
        return rc;
    }
}
