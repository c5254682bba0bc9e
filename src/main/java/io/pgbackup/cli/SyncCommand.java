package io.pgbackup.cli;

import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.SyncJob;
import io.pgbackup.jobs.View;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup sync}: the second store gets every backup it lacks. */
@Command(name = "sync", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Copy every backup of the first store that the second store (COPY_S3_BUCKET and its COPY_ "
                + "settings) lacks: objects checked against their SHA-256 as they stream, locked as the second store "
                + "locks backups, manifest last. Completes a backup whose copy failed (exit 15).")
final class SyncCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "List what would be copied; copy nothing.")
    boolean dryRun;

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
        SyncJob job = SyncJob.of(Site.reported(ctx, FlagSet.of(env, store, lock, notify), View.NOW));
        job.run(dryRun, spec.commandLine().getOut());
        return 0;
    }
}
