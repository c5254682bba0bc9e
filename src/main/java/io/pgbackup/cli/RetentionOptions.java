package io.pgbackup.cli;

import io.pgbackup.config.Setting;
import io.pgbackup.PgBackupException;
import io.pgbackup.retention.RetentionPolicy;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import picocli.CommandLine.Option;

/** A retention policy, combinable like restic's forget. */
final class RetentionOptions {
    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the N newest. Env: KEEP_LAST.")
    String keepLast;

    @Option(names = "--keep-within", paramLabel = "DURATION", description = "Keep all within, e.g. 14d. Env: KEEP_WITHIN.")
    String keepWithin;

    @Option(names = "--keep-hourly", paramLabel = "N", description = "Keep the newest of the last N hours. Env: KEEP_HOURLY.")
    String keepHourly;

    @Option(names = "--keep-daily", paramLabel = "N", description = "Keep the newest of the last N days. Env: KEEP_DAILY.")
    String keepDaily;

    @Option(names = "--keep-weekly", paramLabel = "N", description = "Keep the newest of the last N ISO weeks. Env: KEEP_WEEKLY.")
    String keepWeekly;

    @Option(names = "--keep-monthly", paramLabel = "N", description = "Keep the newest of the last N months. Env: KEEP_MONTHLY.")
    String keepMonthly;

    @Option(names = "--keep-yearly", paramLabel = "N", description = "Keep the newest of the last N years. Env: KEEP_YEARLY.")
    String keepYearly;

    @Option(names = "--min-keep", paramLabel = "N", description = "Always keep the N newest. Env: MIN_KEEP. Default: 1.")
    String minKeep;

    @Option(names = "--keep-drilled", paramLabel = "N",
            description = "Whatever the rules say, keep the N newest backups whose last restore drill passed (0: off). "
                    + "Env: PRUNE_KEEP_DRILLED. Default: 1.")
    String keepDrilled;

    @Option(names = "--include-labelled", description = "Let the rules delete labelled backups too (kept by default).")
    boolean includeLabelled;

    /** The retention guard's count: PRUNE_KEEP_DRILLED (0 to 100). */
    int keepDrilled(Map<String, String> env) {
        return Setting.resolve(env, "--keep-drilled", keepDrilled, "1", "PRUNE_KEEP_DRILLED").asInt(0, 100);
    }

    RetentionPolicy resolve(Map<String, String> env, ZoneId zone) {
        Duration w = Setting.resolve(env, "--keep-within", keepWithin, null, "KEEP_WITHIN").asOptionalDuration();
        RetentionPolicy p = new RetentionPolicy(
                count(env, "--keep-last", keepLast, "KEEP_LAST", "0"), w,
                count(env, "--keep-hourly", keepHourly, "KEEP_HOURLY", "0"),
                count(env, "--keep-daily", keepDaily, "KEEP_DAILY", "0"),
                count(env, "--keep-weekly", keepWeekly, "KEEP_WEEKLY", "0"),
                count(env, "--keep-monthly", keepMonthly, "KEEP_MONTHLY", "0"),
                count(env, "--keep-yearly", keepYearly, "KEEP_YEARLY", "0"),
                count(env, "--min-keep", minKeep, "MIN_KEEP", "1"), includeLabelled, zone);
        try {
            p.validate();
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(e.getMessage());
        }
        return p;
    }

    private static int count(Map<String, String> env, String flag, String value, String var, String def) {
        Setting s = Setting.resolve(env, flag, value, def, var);
        try {
            return Integer.parseInt(s.value().strip());
        } catch (NumberFormatException e) {
            throw PgBackupException.config(s.source() + " must be a whole number; got '" + s.value() + "'");
        }
    }
}
