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
 * a percentage when the database size is known. The SQL byte count is compared with the
 * database's size because plain SQL is roughly the size of the table data; the figure is an
 * estimate and is capped below 100%.
 */
final class Progress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("pgbackup.progress");
    final AtomicLong archiveBytes = new AtomicLong();
    final AtomicLong sqlBytes = new AtomicLong();
    private final long databaseSize;
    private final String label;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    Progress(long databaseSize, Duration every) {
        this(databaseSize, every, null);
    }

    /** With a {@code label} (a server backup's database) that starts each line. */
    Progress(long databaseSize, Duration every, String label) {
        this.databaseSize = databaseSize;
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
        String pct = databaseSize > 0 && s > 0
                ? String.format(Locale.ROOT, " (~%d%% of %s)", Math.min(99, s * 100 / databaseSize), bytes(databaseSize))
                : "";
        return String.format(Locale.ROOT, "dumped %s archive%s%s, %s/s, elapsed %.0fs", bytes(a),
                s > 0 ? ", " + bytes(s) + " SQL" : "", pct, bytes((long) (a / secs)), secs);
    }

    static String bytes(long n) {
        return Bytes.format(n);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
