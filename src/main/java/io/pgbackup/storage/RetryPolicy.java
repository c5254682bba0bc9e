package io.pgbackup.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry policy of every store request: transient failures (the adapter's classifier
 * decides: 5xx, 429, SlowDown, connection resets, timeouts) are retried with exponential backoff
 * and jitter until {@code retryFor} has passed since the first attempt; anything else fails at
 * once. Each retry is logged at warn with what failed, the attempt and the wait.
 *
 * <p>The caller's operation must be repeatable: a part upload re-sends its buffer, a ranged read
 * re-opens at the byte it had reached. An interrupted thread stops retrying at once.
 */
public record RetryPolicy(Duration retryFor, Duration initialBackoff, Duration maxBackoff,
        Predicate<Throwable> transientError, Sleeper sleeper, java.util.function.LongSupplier nanoTime) {
    private static final Logger log = LoggerFactory.getLogger(RetryPolicy.class);

    /** An I/O operation that may be attempted several times. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws IOException;
    }

    /** How the policy waits between attempts; tests replace it to run without sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** The policy for cleanup after a failure (aborts, deletes): short, the next run sweeps what is left. */
    public static final Duration CLEANUP_RETRY_FOR = Duration.ofSeconds(20);

    /** Real time and real sleeps; backoff from 250 ms doubling to at most 15 s. */
    public static RetryPolicy of(Duration retryFor, Predicate<Throwable> transientError) {
        return new RetryPolicy(retryFor, Duration.ofMillis(250), Duration.ofSeconds(15), transientError,
                d -> Thread.sleep(d.toMillis()), System::nanoTime);
    }

    /** The same policy with another total budget (e.g. {@link #CLEANUP_RETRY_FOR}). */
    public RetryPolicy withRetryFor(Duration budget) {
        return new RetryPolicy(budget, initialBackoff, maxBackoff, transientError, sleeper, nanoTime);
    }

    public boolean isTransient(Throwable t) {
        return transientError.test(t);
    }

    /**
     * Runs {@code attempt} until it succeeds, fails with a permanent error (rethrown as is), or the
     * budget is spent (the last error is rethrown with the number of attempts and the time spent).
     *
     * @param what names the request in logs and messages, e.g. "upload of part 3 of prod/x.dump"
     */
    public <T> T call(String what, Attempt<T> attempt) throws IOException {
        long start = nanoTime.getAsLong();
        long budget = retryFor.toNanos();
        long backoff = initialBackoff.toNanos();
        for (int n = 1; ; n++) {
            try {
                return attempt.run();
            } catch (IOException | RuntimeException e) {
                if (interrupted(e) || !transientError.test(e)) {
                    throw e;
                }
                long elapsed = nanoTime.getAsLong() - start;
                // Equal jitter: half the backoff fixed, half random, so many clients do not retry in step.
                long wait = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                if (elapsed + wait > budget) {
                    String msg = String.format(Locale.ROOT, "%s failed %d time(s) over %.0f s, giving up (S3_RETRY_FOR=%s): %s",
                            what, n, elapsed / 1e9, human(retryFor), message(e));
                    throw e instanceof IOException ? new IOException(msg, e) : new IOException(msg, e);
                }
                log.warn("{} failed (attempt {}): {}; retrying in {}", what, n, message(e),
                        String.format(Locale.ROOT, "%.1f s", wait / 1e9));
                try {
                    sleeper.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException(what + " interrupted while waiting to retry");
                }
                backoff = Math.min(maxBackoff.toNanos(), backoff * 2);
            }
        }
    }

    private static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A socket timeout is an InterruptedIOException too, but a transient one.
            if (t instanceof InterruptedException
                    || t instanceof InterruptedIOException && !(t instanceof java.net.SocketTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 && s >= 60 ? s / 60 + "m" : s + "s";
    }
}
