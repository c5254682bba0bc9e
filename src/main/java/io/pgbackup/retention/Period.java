package io.pgbackup.retention;

import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.function.ToIntFunction;

/**
 * The calendar periods of the grandfather-father-son rules, in rule order. Each maps a local
 * time to a bucket key; the key doubles as the human-readable part of the keep reason.
 */
enum Period {
    HOURLY("hourly", RetentionPolicy::keepHourly) {
        @Override
        String bucket(ZonedDateTime t) {
            // Local wall-clock hour. In the autumn fall-back hour two real hours share one
            // label and so one bucket; restic does the same, and it only costs one backup.
            return String.format("%04d-%02d-%02dT%02d",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour());
        }
    },
    DAILY("daily", RetentionPolicy::keepDaily) {
        @Override
        String bucket(ZonedDateTime t) {
            return t.toLocalDate().toString();
        }
    },
    WEEKLY("weekly", RetentionPolicy::keepWeekly) {
        @Override
        String bucket(ZonedDateTime t) {
            // ISO week-based year, not calendar year: 2027-01-01 belongs to 2026-W53.
            return String.format("%04d-W%02d",
                    t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }
    },
    MONTHLY("monthly", RetentionPolicy::keepMonthly) {
        @Override
        String bucket(ZonedDateTime t) {
            return String.format("%04d-%02d", t.getYear(), t.getMonthValue());
        }
    },
    YEARLY("yearly", RetentionPolicy::keepYearly) {
        @Override
        String bucket(ZonedDateTime t) {
            return String.format("%04d", t.getYear());
        }
    };

    private final String word;
    private final ToIntFunction<RetentionPolicy> count;

    Period(String word, ToIntFunction<RetentionPolicy> count) {
        this.word = word;
        this.count = count;
    }

    /** Bucket key of a local time, e.g. {@code 2026-W48}. */
    abstract String bucket(ZonedDateTime localTime);

    /** How many buckets of this period the policy keeps. */
    int count(RetentionPolicy policy) {
        return count.applyAsInt(policy);
    }

    /** Keep reason for a bucket, e.g. {@code weekly 2026-W48}. */
    String reason(String bucket) {
        return word + " " + bucket;
    }
}
