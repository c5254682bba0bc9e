package io.pgbackup.cli;

import io.pgbackup.config.Setting;
import io.pgbackup.PgBackupException;
import io.pgbackup.schedule.CronSchedule;
import io.pgbackup.schedule.InvalidScheduleException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import picocli.CommandLine.Option;

/** The backup schedule: a cron expression evaluated in a time zone. */
final class CronOptions {
    @Option(names = "--cron", paramLabel = "EXPR",
            description = "Cron expression (5 fields, @hourly/@daily/@weekly/@monthly, or 6 with seconds first), "
                    + "e.g. '0 3 * * *'. Env: BACKUP_CRON. Required.")
    String cron;

    @Option(names = "--tz", paramLabel = "ZONE", description = "Time zone of the schedule, e.g. Europe/Berlin. "
            + "Env: BACKUP_TZ. Default: UTC.")
    String tz;

    ZoneId zone(Map<String, String> env) {
        Setting z = Setting.resolve(env, "--tz", tz, "UTC", "BACKUP_TZ");
        try {
            return ZoneId.of(z.value().strip());
        } catch (DateTimeException e) {
            throw PgBackupException.config(z.source() + " '" + z.value().strip()
                    + "' is not a time zone: use an IANA name such as UTC or Europe/Berlin");
        }
    }

    CronSchedule backup(Map<String, String> env) {
        Setting c = Setting.resolve(env, "--cron", cron, null, "BACKUP_CRON");
        if (!c.isSet()) {
            throw PgBackupException.config("no schedule: set BACKUP_CRON (or --cron) to a cron expression such as "
                    + "'0 3 * * *' (03:00 every day)");
        }
        return parse(c, zone(env));
    }

    /** The schedule when BACKUP_CRON (or --cron) is set, else null. */
    CronSchedule optional(Map<String, String> env) {
        Setting c = Setting.resolve(env, "--cron", cron, null, "BACKUP_CRON");
        return c.isSet() ? parse(c, zone(env)) : null;
    }

    static CronSchedule parse(Setting c, ZoneId zone) {
        try {
            return CronSchedule.parse(c.value(), zone);
        } catch (InvalidScheduleException e) {
            throw PgBackupException.config(c.source() + ": " + e.getMessage());
        }
    }
}
