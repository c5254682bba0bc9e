package io.pgbackup.jobs;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.config.Settings;
import io.pgbackup.notify.Channel;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.notify.NotifyConfig;
import io.pgbackup.notify.Outcome;
import io.pgbackup.pg.ConnectionString;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs jobs with their start and end reported to the configured channels: the end is a success
 * with what the job produced, or a failure with the job's own exit code and error line, which is
 * then rethrown unchanged (notifications never change a run's outcome).
 */
public final class Reporting {
    private final Notifier notifier;
    private final Repository where;

    Reporting(Notifier notifier, Repository where) {
        this.notifier = notifier;
        this.where = where;
    }

    /** Reports nothing (commands without channels of their own: list, restore...). */
    public static Reporting none(Repository where, Clock clock) {
        return new Reporting(Notifier.none(clock), where);
    }

    /** The channels of the notification settings (see {@link NotifyConfig}), checked now. */
    public static Reporting resolve(Settings s, Clock clock, Repository where) {
        return new Reporting(NotifyConfig.resolve(s, clock), where);
    }

    static Reporting resolve(Settings s, Clock clock, Repository where, Channel... extra) {
        return new Reporting(NotifyConfig.resolve(s, clock, extra), where);
    }

    <T> T run(Kind kind, String command, String database, Cancellation cancellation, Supplier<T> job,
            Function<T, Outcome> outcome) {
        try (Notifier.Run run = notifier.begin(kind, command, where.describe(), where.prefix(), database, cancellation)) {
            T result;
            try {
                result = job.get();
            } catch (PgBackupException e) {
                run.failed(e);
                throw e;
            } catch (RuntimeException | Error e) {
                run.failed(new PgBackupException(ExitCode.FAILURE, "internal error: " + e, e));
                throw e;
            }
            run.succeeded(outcome.apply(result));
            return result;
        }
    }

    /** A run that failed before its job began (a tick that cannot read the store) is a failed run too. */
    void failedBeforeStart(Kind kind, String command, String database, PgBackupException e) {
        notifier.failedBeforeStart(kind, command, where.describe(), where.prefix(), database, e);
    }

    /**
     * The database runs of a command without a source of its own (prune, drill, status) are
     * labelled with: PG_URI's when it is set and valid, else "". Never fails: a bad PG_URI is the
     * business of the commands that use it.
     */
    static String configuredDatabase(Map<String, String> env) {
        try {
            return ConnectionString.configured(env).map(ConnectionString::database).orElse("");
        } catch (PgBackupException e) {
            return "";
        }
    }
}
