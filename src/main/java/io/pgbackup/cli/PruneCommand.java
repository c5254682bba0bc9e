package io.pgbackup.cli;

import io.pgbackup.config.Settings;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.PruneJob;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.View;
import io.pgbackup.retention.RetentionPolicy;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup prune}: apply a retention policy. */
@Command(name = "prune", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Delete backups the retention policy does not keep (manifest first, then objects), and "
                + "leftovers of interrupted backups older than a day. GFS buckets use BACKUP_TZ.")
final class PruneCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    RetentionOptions retention = new RetentionOptions();

    @Option(names = "--tz", paramLabel = "ZONE", description = "Time zone for hourly/daily/weekly buckets. Env: BACKUP_TZ. Default: UTC.")
    String tz;

    @Option(names = "--force",
            description = "Prune even though the newest backup is anomalous (rows or bytes collapsed, tables gone): "
                    + "by default prune then deletes nothing, so the backups from before it are kept.")
    boolean force;

    @Option(names = "--dry-run", description = "Print the plan with the reason for each keep/delete; delete nothing.")
    boolean dryRun;

    @Mixin
    LockOptions lock = new LockOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    ViewOptions view = new ViewOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        CronOptions zoneOnly = new CronOptions();
        zoneOnly.tz = tz;
        View v = view.storeOnly();
        // The second store has its own retention (COPY_KEEP_*), falling back to the first's.
        RetentionPolicy policy = retention.resolve(v.copy() ? Settings.copyOf(env).environment() : env,
                zoneOnly.zone(env));
        Settings settings = FlagSet.of(env, store, lock, notify);
        Map<String, String> keepEnv = v.copy() ? Settings.copyOf(env).environment() : env;
        PruneJob job = PruneJob.of(Site.reported(ctx, settings, v), policy, retention.keepDrilled(keepEnv), force);
        if (dryRun) {
            job.dryRun(spec.commandLine().getOut());
        } else {
            job.run(spec.commandLine().getOut());
        }
        return 0;
    }
}
