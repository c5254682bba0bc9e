package io.pgbackup.jobs;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.schedule.CronSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running scheduler: sleeps until the next fire time of the backup (and optional drill)
 * schedule, runs the job, logs the next fire time. Jobs run one at a time, so a slot that fires
 * while a backup still runs is skipped and logged. On a stop request it stops waiting at once; a
 * running job gets {@code grace} to finish and is then cancelled (which aborts it cleanly).
 */
public final class ScheduleDaemon {
    private static final Logger log = LoggerFactory.getLogger(ScheduleDaemon.class);

    /** A scheduled job; {@code cancel} is the job's own stop signal, fired after the grace period. */
    public interface Job {
        void run(Instant slot, Cancellation cancel);
    }

    private final Clock clock;
    private final Duration grace;
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile Cancellation running;
    private volatile boolean aborted;

    public ScheduleDaemon(Clock clock, Duration grace) {
        this.clock = clock;
        this.grace = grace;
    }

    /** A job on its own schedule; {@code what} names it in the log. */
    public record Entry(String what, CronSchedule cron, Job job) {}

    /**
     * Runs until {@code stop} is cancelled: whichever entry fires next runs, one at a time (the
     * first entry is the backup, whose slots missed while a job ran are logged). Returns normally
     * on a clean stop; throws INTERRUPTED if a job had to be aborted because the grace period ran out.
     */
    public void run(List<Entry> entries, Cancellation stop) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shutdown-grace");
            t.setDaemon(true);
            return t;
        });
        try (AutoCloseable reg = stop.register(why -> onStop(why, timer))) {
            Instant after = clock.instant();
            while (!stopping) {
                Entry next = null;
                ZonedDateTime at = null;
                for (Entry e : entries) {
                    Optional<ZonedDateTime> t = e.cron().nextAfter(after);
                    if (t.isPresent() && (at == null || t.get().isBefore(at))) {
                        next = e;
                        at = t.get();
                    }
                }
                if (next == null) {
                    log.warn("the schedule has no future fire time; stopping");
                    return;
                }
                Instant slot = at.toInstant();
                log.info("next {} at {}", next.what(), at);
                if (!sleepUntil(slot)) {
                    break;
                }
                runJob(next.job(), slot, next.what());
                Instant now = clock.instant();
                skipped(entries.get(0).cron(), slot, now);
                after = now.isAfter(slot) ? now : slot;
            }
            log.info("scheduler stopped");
        } catch (PgBackupException e) {
            throw e;
        } catch (Exception e) {
            throw new PgBackupException(ExitCode.FAILURE, "scheduler failed: " + e, e);
        } finally {
            timer.shutdownNow();
        }
        if (aborted) {
            throw new PgBackupException(ExitCode.INTERRUPTED, "stopped: the running job was aborted after the "
                    + grace.toSeconds() + " s shutdown grace period; nothing partial was kept");
        }
    }

    private void runJob(Job job, Instant slot, String what) {
        Cancellation cancel = new Cancellation();
        running = cancel;
        try {
            job.run(slot, cancel);
        } catch (PgBackupException e) {
            // One failed run must not stop the scheduler: log it, the next slot will come.
            log.atError().addKeyValue("exit.code", e.exitCode().code()).addKeyValue("exit.name", e.exitCode().name())
                    .log("{} for slot {} failed (exit code {}): {}", what, slot, e.exitCode().code(), e.getMessage());
        } finally {
            running = null;
        }
    }

    private void skipped(CronSchedule cron, Instant slot, Instant now) {
        int n = 0;
        Instant t = slot;
        Optional<ZonedDateTime> next;
        while ((next = cron.nextAfter(t)).isPresent() && !next.get().toInstant().isAfter(now) && n < 1000) {
            t = next.get().toInstant();
            n++;
        }
        if (n > 0) {
            log.warn("skipped {} backup slot(s) that fired while a job was running (last {})", n, t);
        }
    }

    private boolean sleepUntil(Instant when) throws InterruptedException {
        synchronized (wake) {
            while (!stopping) {
                long ms = Duration.between(clock.instant(), when).toMillis();
                if (ms <= 0) {
                    return true;
                }
                wake.wait(Math.min(ms, 60_000));
            }
        }
        return false;
    }

    private void onStop(String why, ScheduledExecutorService timer) {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        Cancellation job = running;
        if (job != null) {
            log.warn("{}: letting the running job finish, up to {} s", why, grace.toSeconds());
            timer.schedule(() -> {
                Cancellation still = running;
                if (still != null) {
                    aborted = true;
                    log.warn("shutdown grace period over: aborting the running job");
                    still.cancel(why);
                }
            }, grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
