package io.pgbackup.backup.take;

import io.pgbackup.Bytes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a running backup's progress every few seconds: archive and SQL bytes, rate, elapsed, and
 * a percentage with an ETA when the end can be estimated. The best estimate is the archive the
 * previous backup of the same source stored (a database grows slowly between backups); without
 * one, the SQL byte count is compared with the database's size, because plain SQL is roughly the
 * size of the table data. Either figure is an estimate, so it is capped below 100%, and the ETA
 * (the rate so far, extrapolated) is shown only once a few percent are done.
 */
final class Progress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("pgbackup.progress");
    final AtomicLong archiveBytes = new AtomicLong();
    final AtomicLong sqlBytes = new AtomicLong();
    private final long databaseSize;
    private final long previousArchive;
    private final String label;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    Progress(long databaseSize, Duration every) {
        this(databaseSize, 0, every, null);
    }

    /**
     * With the archive the previous backup stored ({@code previousArchive}, 0 if unknown) and a
     * {@code label} (a server backup's database) that starts each line.
     */
    Progress(long databaseSize, long previousArchive, Duration every, String label) {
        this.databaseSize = databaseSize;
        this.previousArchive = previousArchive;
        this.label = label;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        long ms = every.toMillis();
        timer.scheduleAtFixedRate(this::report, ms, ms, TimeUnit.MILLISECONDS);
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void report() {
        Duration e = elapsed();
        double secs = Math.max(0.001, e.toMillis() / 1000.0);
        long a = archiveBytes.get();
        log.atInfo().addKeyValue("bytes", a + sqlBytes.get()).addKeyValue("rate", Math.round(a / secs))
                .addKeyValue("duration", secs).log((label == null ? "" : label + ": ") + line(e));
    }

    /** The progress line for the counters now, after {@code elapsed}. */
    String line(Duration elapsed) {
        double secs = Math.max(0.001, elapsed.toMillis() / 1000.0);
        long a = archiveBytes.get();
        long s = sqlBytes.get();
        String pct = "";
        double done = -1;
        if (previousArchive > 0 && a > 0) {
            done = Math.min(0.99, (double) a / previousArchive);
            pct = String.format(Locale.ROOT, " (~%d%% of the last backup's %s)", (int) (done * 100), bytes(previousArchive));
        } else if (databaseSize > 0 && s > 0) {
            done = Math.min(0.99, (double) s / databaseSize);
            pct = String.format(Locale.ROOT, " (~%d%% of %s)", (int) (done * 100), bytes(databaseSize));
        }
        String eta = done >= MIN_FOR_ETA && done < 0.99 ? ", ETA " + duration(Math.round(secs * (1 - done) / done)) : "";
        return String.format(Locale.ROOT, "dumped %s archive%s%s, %s/s, elapsed %.0fs%s", bytes(a),
                s > 0 ? ", " + bytes(s) + " SQL" : "", pct, bytes((long) (a / secs)), secs, eta);
    }

    /** Below this fraction done, the rate so far says too little about the rest. */
    private static final double MIN_FOR_ETA = 0.02;

    /** {@code 45s}, {@code 12m 05s}, {@code 3h 07m}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }

    static String bytes(long n) {
        return Bytes.format(n);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
