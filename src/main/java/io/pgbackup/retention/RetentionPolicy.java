package io.pgbackup.retention;

import io.pgbackup.config.Durations;

import java.time.Duration;
import java.time.ZoneId;

/**
 * Which backups to keep, as given on the command line. A backup is kept if any rule keeps it.
 *
 * <p>The record accepts any values so the CLI can build it first and report problems with
 * {@link #validate()}; {@link RetentionPlanner#plan} validates again before planning.
 *
 * @param keepLast        keep the N newest backups ({@code --keep-last})
 * @param keepWithin      keep backups started at or after {@code now - keepWithin}
 *                        ({@code --keep-within}); {@code null} or zero means off
 * @param keepHourly      keep the newest backup of each of the N newest hours ({@code --keep-hourly})
 * @param keepDaily       same per local date ({@code --keep-daily})
 * @param keepWeekly      same per ISO week ({@code --keep-weekly})
 * @param keepMonthly     same per month ({@code --keep-monthly})
 * @param keepYearly      same per year ({@code --keep-yearly})
 * @param minKeep         safety net: the N newest backups are always kept ({@code --min-keep}, at least 1)
 * @param includeLabelled if false (the default), labelled backups are pinned: always kept and
 *                        left out of every other rule, so {@code --keep-last 3} means three
 *                        ordinary backups plus the labelled ones. If true, labelled backups are
 *                        treated like any other.
 * @param zone            time zone in which hours, dates, weeks, months and years are cut
 */
public record RetentionPolicy(
        int keepLast,
        Duration keepWithin,
        int keepHourly,
        int keepDaily,
        int keepWeekly,
        int keepMonthly,
        int keepYearly,
        int minKeep,
        boolean includeLabelled,
        ZoneId zone) {

    /**
     * Checks the policy, throwing {@link IllegalArgumentException} with a one-line message that
     * names the offending flag.
     */
    public void validate() {
        requireNonNegative("--keep-last", keepLast);
        if (keepWithin != null && keepWithin.isNegative()) {
            throw new IllegalArgumentException(
                    "--keep-within must be >= 0, got " + Durations.format(keepWithin));
        }
        requireNonNegative("--keep-hourly", keepHourly);
        requireNonNegative("--keep-daily", keepDaily);
        requireNonNegative("--keep-weekly", keepWeekly);
        requireNonNegative("--keep-monthly", keepMonthly);
        requireNonNegative("--keep-yearly", keepYearly);
        if (minKeep < 1) {
            // min-keep is what guarantees a plan never empties the repository; 0 would disable it.
            throw new IllegalArgumentException("--min-keep must be at least 1, got " + minKeep);
        }
        if (zone == null) {
            throw new IllegalArgumentException(
                    "retention time zone is not set: hourly/daily/weekly/monthly/yearly buckets need one");
        }
        // Without any rule only min-keep would apply, silently deleting almost everything;
        // that is far more likely a forgotten flag than an intent.
        if (keepLast == 0 && !hasKeepWithin() && keepHourly == 0 && keepDaily == 0
                && keepWeekly == 0 && keepMonthly == 0 && keepYearly == 0) {
            throw new IllegalArgumentException("no retention rule given: set at least one of "
                    + "--keep-last, --keep-within, --keep-hourly, --keep-daily, --keep-weekly, "
                    + "--keep-monthly, --keep-yearly");
        }
    }

    /** True if the keep-within rule is on (set and non-zero). */
    public boolean hasKeepWithin() {
        return keepWithin != null && !keepWithin.isZero() && !keepWithin.isNegative();
    }

    private static void requireNonNegative(String flag, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(flag + " must be >= 0, got " + value);
        }
    }
}
