package io.pgbackup.cli;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.notify.Outcome;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one job with its start and end reported: the end is a success with what the job produced,
 * or a failure with the job's own exit code and error line, which is then rethrown unchanged
 * (notifications never change a run's outcome).
 */
final class Reported {
    private Reported() {}

    static <T> T run(Notifier notifier, Kind kind, String command, StoreOptions.Resolved where, String database,
            Cancellation cancellation, Supplier<T> job, Function<T, Outcome> outcome) {
        try (Notifier.Run run = notifier.begin(kind, command, where.describe(), where.layout().prefix(), database,
                cancellation)) {
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

    /**
     * The database runs of a command without a source of its own (prune, drill, status) are
     * labelled with: PG_URI's when it is set and valid, else "". Never fails: a bad PG_URI is the
     * business of the commands that use it.
     */
    static String configuredDatabase(java.util.Map<String, String> env) {
        try {
            return TargetOptions.source(env).map(io.pgbackup.pg.ConnectionString::database).orElse("");
        } catch (PgBackupException e) {
            return "";
        }
    }
}
