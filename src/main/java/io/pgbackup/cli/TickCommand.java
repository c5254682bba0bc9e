package io.pgbackup.cli;

import io.pgbackup.jobs.BackupJob;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.PruneJob;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.TickJob;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.schedule.CronSchedule;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup tick}: one wake-up of a coarse platform schedule (e.g. Fly's hourly machines). */
@Command(name = "tick", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Back up once if a BACKUP_CRON slot came due since the last scheduled backup (decided from the "
                + "store alone), else print when the next one is due. Exit 0 in both cases. Idempotent: a restart or "
                + "a second machine never makes two backups for one slot.")
final class TickCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--check",
            description = "Only decide: exit 0 when nothing is due, 12 when a backup is due. Takes no lock, "
                    + "runs nothing (run-backup.sh uses it to decide in a fast-starting JVM).")
    boolean check;

    @Mixin
    CronOptions cron = new CronOptions();

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Mixin
    BackupOptions backup = new BackupOptions();

    @Mixin
    PruneSwitch prune = new PruneSwitch();

    @Mixin
    LockOptions lock = new LockOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        // Validate everything up front (parsing only, nothing is contacted), even on the fast path.
        CronSchedule schedule = cron.backup(env);
        ConnectionString source = database.resolve(env);
        BackupJob.Plan plan = backup.resolve(env);
        RetentionPolicy policy = prune.policy(env, cron.zone(env));
        Site site = Site.forBackups(ctx, FlagSet.of(env, store, lock, notify), plan.uploadsInFlight());
        TickJob job = new TickJob(site, schedule, BackupJob.of(site, source, plan), prunes(ctx, site, policy));
        return job.run(check, spec.commandLine().getOut());
    }

    /** PRUNE: the first store by KEEP_*, and the second (when configured) by COPY_KEEP_* (falling back to KEEP_*). */
    List<PruneJob> prunes(Context ctx, Site site, RetentionPolicy policy) {
        return Prunes.after(ctx, site, policy, prune, cron, FlagSet.of(ctx.env(), store, lock, notify));
    }
}
