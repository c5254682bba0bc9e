package io.pgbackup.cli;

import io.pgbackup.jobs.Context;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgbackup}: the command tree. Subcommands reach the shared {@link Context} through it. */
@Command(name = "pgbackup", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Streams Postgres backups (custom archive + compressed SQL, one pg_dump) to S3 or a directory.",
        subcommands = {BackupCommand.class, ListCommand.class, RestoreCommand.class, VerifyCommand.class, DownloadCommand.class, DrillCommand.class, ScheduleCommand.class, TickCommand.class, PruneCommand.class, SyncCommand.class, StatusCommand.class, ReportCommand.class},
        footer = {"", "Every option falls back to the environment variable named in its description; "
                + "a flag wins over the environment, which wins over the default.",
                "Exit codes: 0 ok, 1 internal error, 2 usage/config, 3 database, 4 pg_dump older than server, "
                        + "5 pg_dump/pg_restore failed, 6 storage, 7 not found, 8 integrity, 9 check failed, "
                        + "10 locked, 11 restore failed, 12 tick --check: due, 13 status: unhealthy, 14 key required, "
                        + "15 copy to the second store failed, 130 interrupted."})
public final class RootCommand implements Runnable {
    private final Context context;

    @Spec
    CommandSpec spec;

    public RootCommand(Context context) {
        this.context = context;
    }

    public Context context() {
        return context;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
