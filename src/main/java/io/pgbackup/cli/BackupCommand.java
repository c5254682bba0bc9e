package io.pgbackup.cli;

import io.pgbackup.config.Setting;
import io.pgbackup.config.Settings;
import io.pgbackup.jobs.BackupJob;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.Site;
import io.pgbackup.pg.ConnectionString;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup backup}: one backup now. */
@Command(name = "backup", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Run pg_dump once and store a custom-format archive and a compressed SQL script, "
                + "then the manifest. Prints the manifest's key.")
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--label", paramLabel = "TEXT",
            description = "Label for an ad hoc backup (kept by prune unless --include-labelled). Env: BACKUP_LABEL.")
    String label;

    @Mixin
    BackupOptions backup = new BackupOptions();

    @Mixin
    LockOptions lock = new LockOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        // Validate everything before the first byte moves.
        ConnectionString source = database.resolve(env);
        BackupJob.Plan plan = backup.resolve(env);
        Setting lbl = Setting.resolve(env, "--label", label, null, "BACKUP_LABEL");
        String labelText = lbl.isSet() ? Flags.label(lbl) : null;
        Settings settings = FlagSet.of(env, store, lock, notify);
        BackupJob job = BackupJob.of(Site.forBackups(ctx, settings, plan.uploadsInFlight()), source, plan);
        job.now(labelText, spec.commandLine().getOut());
        return 0;
    }
}
