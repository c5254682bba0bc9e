package io.pgbackup.notify;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans run events out to every channel, in parallel, each send bounded ({@link Http#bound}) and
 * isolated: a failure is one warning line (the channel's host and what went wrong) and one more in
 * {@code pgbackup_notify_failures_total}; it never changes the run's exit code, and the run waits
 * for its sends at most the bound. A stop request (SIGTERM) sends the failure at once, so it goes
 * out within the shutdown grace whatever the run is blocked on.
 */
public final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    /** Failed sends of this process, for pgbackup_notify_failures_total. */
    public static final AtomicLong FAILURES = new AtomicLong();
    private final List<Channel> channels;
    private final Duration bound;
    private final Clock clock;
    private final String host;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "notify");
        t.setDaemon(true);
        return t;
    });

    public Notifier(List<Channel> channels, Duration bound, Clock clock, String host) {
        this.channels = List.copyOf(channels);
        this.bound = bound;
        this.clock = clock;
        this.host = host;
    }

    /** No channels: events go nowhere. */
    public static Notifier none(Clock clock) {
        return new Notifier(List.of(), Duration.ZERO, clock, "");
    }

    public boolean isEmpty() {
        return channels.isEmpty();
    }

    /** A run begins: its start events go out in the background. */
    public Run begin(Kind kind, String command, String store, String prefix, String database, Cancellation cancellation) {
        RunInfo info = new RunInfo(UUID.randomUUID().toString(), kind, command, host, store, prefix,
                database == null ? "" : database, clock.instant());
        List<Channel> mine = channels.stream().filter(c -> c.wants(kind)).toList();
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (Channel c : mine) {
            starts.add(CompletableFuture.runAsync(() -> guarded(c, "start", () -> c.started(info)), pool));
        }
        return new Run(info, mine, starts, cancellation);
    }

    /**
     * A run that failed before it could begin as one (a tick that could not read the store to
     * decide): no start event, only the failure, waited for at most the bound.
     */
    public void failedBeforeStart(Kind kind, String command, String store, String prefix, String database,
            PgBackupException e) {
        RunInfo info = new RunInfo(UUID.randomUUID().toString(), kind, command, host, store, prefix,
                database == null ? "" : database, clock.instant());
        List<Channel> mine = channels.stream().filter(c -> c.wants(kind)).toList();
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        mine.forEach(c -> starts.add(CompletableFuture.completedFuture(null)));
        try (Run run = new Run(info, mine, starts, null)) {
            run.failed(e);
        }
    }

    private interface Send {
        void run() throws Exception;
    }

    private void guarded(Channel c, String what, Send send) {
        try {
            send.run();
        } catch (Exception e) {
            FAILURES.incrementAndGet();
            log.warn("notification ({} of {}) failed, the run goes on: {}", what, c.describe(), e.getMessage());
        }
    }

    /** One run's events: the end is sent once, whichever comes first of success, failure and stop. */
    public final class Run implements AutoCloseable {
        private final RunInfo info;
        private final List<Channel> mine;
        private final List<CompletableFuture<Void>> starts;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final Cancellation.Registration onStop;
        private volatile List<CompletableFuture<Void>> ends = List.of();

        Run(RunInfo info, List<Channel> mine, List<CompletableFuture<Void>> starts, Cancellation cancellation) {
            this.info = info;
            this.mine = mine;
            this.starts = starts;
            this.onStop = cancellation == null || mine.isEmpty() ? () -> { }
                    : cancellation.register(why -> end(Outcome.failure(ExitCode.INTERRUPTED.code(), ExitCode.INTERRUPTED.name(),
                            "pgbackup: error: interrupted by " + why + ": the run was stopped", clock.instant()), false));
        }

        public RunInfo info() {
            return info;
        }

        public void succeeded(Outcome outcome) {
            end(outcome, true);
        }

        public void failed(PgBackupException e) {
            end(Outcome.failure(e.exitCode().code(), e.exitCode().name(), "pgbackup: error: " + oneLine(e.getMessage()),
                    clock.instant()), true);
        }

        /** Sends the end event once; with {@code wait}, waits for it (and the start) at most the bound. */
        private void end(Outcome outcome, boolean wait) {
            if (ended.compareAndSet(false, true)) {
                List<CompletableFuture<Void>> sends = new ArrayList<>();
                for (Channel c : mine) {
                    // After its own start event: receivers may order them by arrival.
                    CompletableFuture<Void> start = starts.get(mine.indexOf(c));
                    sends.add(start.thenRunAsync(() -> guarded(c, outcome.exit().success() ? "success" : "failure",
                            () -> c.finished(info, outcome)), pool));
                }
                ends = sends;
            }
            if (wait) {
                await();
            }
        }

        private void await() {
            try {
                CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                log.warn("notifications still pending after {} s: not waiting for them", bound.toSeconds());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // guarded: sends never fail the future
            }
        }

        /** Ends without an outcome (a tick with nothing due): nothing more is sent. */
        @Override
        public void close() {
            onStop.close();
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " | ").strip();
    }
}
