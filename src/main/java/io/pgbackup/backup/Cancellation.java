package io.pgbackup.backup;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Carries a stop request (SIGTERM/SIGINT, a daemon's shutdown grace running out) to whatever is
 * running. Runs register a listener for their lifetime; {@link #cancel} tells them all.
 */
public final class Cancellation {
    private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile String reason;

    /** Requests a stop; returns false when nothing was running to receive it. */
    public boolean cancel(String why) {
        if (reason == null) {
            reason = why;
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
            throw new io.pgbackup.PgBackupException(io.pgbackup.ExitCode.INTERRUPTED,
                    "interrupted by " + reason + " " + what);
        }
    }

    public String reason() {
        return reason;
    }

    /** Registers {@code onCancel}; if a stop was already requested it runs at once. */
    public AutoCloseable register(Consumer<String> onCancel) {
        listeners.add(onCancel);
        if (reason != null) {
            onCancel.accept(reason);
        }
        return () -> listeners.remove(onCancel);
    }
}
