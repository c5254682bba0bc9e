package io.pgbackup.health;

import io.pgbackup.schedule.CronSchedule;
import java.time.Duration;

/**
 * The thresholds of {@code status}. With a {@code schedule}, freshness asks that the latest slot due
 * more than {@code grace} ago has a backup; without one, that the newest backup is younger than
 * {@code maxAge}. {@code drillMaxAge} (null: off) fails a status whose last drill is older.
 * Anomalies compare the newest backup with the median of the {@code history} before it.
 */
public record StatusPolicy(CronSchedule schedule, Duration grace, Duration maxAge, Duration drillMaxAge, int history,
        double maxShrink, boolean strict) {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(26);
    public static final int DEFAULT_HISTORY = 7;
    public static final double DEFAULT_MAX_SHRINK = 0.5;
    /** A run taking this many times the median duration is an anomaly. */
    public static final double DURATION_FACTOR = 3.0;
    /** Stored bytes below this share of the database's size: a selection that left out almost everything. */
    public static final double MIN_STORED_RATIO = 0.01;
    /** ... for databases at least this big: an empty database is ~8 MB of catalog that a dump does not hold. */
    public static final long MIN_RATIO_DATABASE_BYTES = 256L * 1024 * 1024;
}
