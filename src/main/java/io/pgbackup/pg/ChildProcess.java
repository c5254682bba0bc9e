package io.pgbackup.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running pg_dump / pg_restore / psql. Its stderr is drained on a thread into a bounded tail
 * (the last lines are what an operator needs in the one-line failure message) so the child never
 * blocks on a full stderr pipe.
 */
public final class ChildProcess implements AutoCloseable {
    private static final int TAIL_LINES = 8;
    private final String name;
    private final Process process;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread drainer;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.drainer = new Thread(this::drain, name + "-stderr");
        drainer.setDaemon(true);
        drainer.start();
    }

    /**
     * Starts {@code command} in a minimal environment ({@link ChildEnv}: nothing secret of ours is
     * inherited) with {@code envOverrides} applied (a null value removes the variable).
     */
    public static ChildProcess start(String name, List<String> command, Map<String, String> envOverrides)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        Map<String, String> wanted = ChildEnv.build(System.getenv(), envOverrides);
        env.clear();
        env.putAll(wanted);
        return new ChildProcess(name, pb.start());
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    private void drain() {
        try (var r = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
            }
        } catch (IOException e) {
            // The child is gone; what we have is the tail.
        }
    }

    /**
     * What an exit status says, for the one error line: killed or exited, and the tail of stderr;
     * a dump cancelled by a hot standby's recovery conflict names the cause and the fixes.
     */
    public String describeExit(int rc) {
        String how = rc > 128 && rc < 160 ? "was killed by signal " + (rc - 128) : "exited with code " + rc;
        String tail = stderrTail();
        if (tail.contains("conflict with recovery")) {
            return name + " " + StandbySnapshot.RECOVERY_CONFLICT + " (" + how + ": " + tail + ")";
        }
        return name + " " + how + (tail.isEmpty() ? "" : ": " + tail);
    }

    /** Waits for exit and for stderr to be drained; returns the exit status. */
    public int waitFor() throws InterruptedException {
        int rc = process.waitFor();
        drainer.join(5000);
        return rc;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last stderr lines joined with " | ", for one-line error messages. */
    public String stderrTail() {
        synchronized (tail) {
            return String.join(" | ", tail);
        }
    }

    /** SIGTERM, then SIGKILL after a short grace: a cancelled backup must not leave a child behind. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
