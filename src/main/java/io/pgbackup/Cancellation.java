package io.pgbackup;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Carries a stop request (SIGTERM/SIGINT, a daemon's shutdown grace running out) to whatever is
 * running. Runs register a listener for their lifetime; {@link #cancel} tells them all. Waits that
 * could block (a database that never answers) go through {@link #await} so a stop ends them.
 */
public final class Cancellation {
    /** How long after a signal the process may take to stop before it exits regardless (SHUTDOWN_GRACE). */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile String reason;
    private volatile ExitCode code = ExitCode.INTERRUPTED;
    private volatile Duration hardStopAfter = DEFAULT_GRACE;

    /** Requests a stop; returns false when nothing was running to receive it. */
    public boolean cancel(String why) {
        return cancel(why, ExitCode.INTERRUPTED);
    }

    /** Requests a stop for a reason that is not a signal (a lost lock): {@link #check} then throws {@code exit}. */
    public boolean cancel(String why, ExitCode exit) {
        synchronized (this) {
            if (reason == null) {
                code = exit;
                reason = why;
            }
        }
        // Decide before notifying: a listener may finish its run and unregister while we loop.
        boolean anyone = !listeners.isEmpty();
        listeners.forEach(l -> l.accept(why));
        return anyone;
    }

    public boolean isCancelled() {
        return reason != null;
    }

    /** Throws {@code INTERRUPTED} if a stop was requested: for checks between phases. */
    public void check(String what) {
        if (reason != null) {
            throw new PgBackupException(code, code == ExitCode.INTERRUPTED ? "interrupted by " + reason + " " + what
                    : reason + " (" + what + ")");
        }
    }

    public String reason() {
        return reason;
    }

    /** A listener's registration; closing it unregisters. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Registers {@code onCancel}; if a stop was already requested it runs at once. */
    public Registration register(Consumer<String> onCancel) {
        listeners.add(onCancel);
        if (reason != null) {
            onCancel.accept(reason);
        }
        return () -> listeners.remove(onCancel);
    }

    /**
     * The result of {@code f}, or INTERRUPTED as soon as a stop is requested (the work itself is
     * left to die with the process: it may be blocked where nothing can wake it). A
     * PgBackupException of the work is rethrown as is.
     */
    public <T> T await(CompletableFuture<T> f, String what) {
        while (true) {
            check(what);
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // look at the stop request again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgBackupException(ExitCode.INTERRUPTED, "interrupted " + what);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw Tasks.failure(e, PgBackupException.class, c -> new PgBackupException(ExitCode.FAILURE,
                        what + " failed: " + c, c));
            }
        }
    }

    /** How long the process may take to stop after a signal; the daemon adds its jobs' grace. */
    public Duration hardStopAfter() {
        return hardStopAfter;
    }

    public void hardStopAfter(Duration d) {
        this.hardStopAfter = d;
    }
}
