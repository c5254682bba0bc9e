package io.pgbackup.cli;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import java.util.concurrent.atomic.AtomicBoolean;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.jobs.TickService;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.schedule.CronSchedule;
import io.pgbackup.storage.ObjectStore;
import java.io.PrintWriter;
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
    public Integer call() throws Exception {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        // Validate everything up front (parsing only, nothing is contacted), even on the fast path.
        CronSchedule schedule = cron.backup(env);
        ConnectionString source = database.resolve(env);
        BackupOptions.Resolved how = backup.resolve(env);
        RetentionPolicy policy = prune.policy(env, cron.zone(env));
        StoreOptions.Resolved where = store.resolve(env).requireUploadMemory(how.uploadsInFlight(),
                Runtime.getRuntime().maxMemory(), !store.partConcurrencyChosen(env));
        LockPolicy locking = lock.resolve(env, "30m", where);
        Notifier notifier = notify.resolve(env, ctx.clock());
        PrintWriter out = spec.commandLine().getOut();
        // A tick with nothing due sends nothing (the ping's period is the backup schedule), but a
        // tick that fails before its backup begins (the store cannot be read) is a failed backup.
        AtomicBoolean began = new AtomicBoolean();
        try (ObjectStore objects = where.open()) {
            Catalog catalog = new Catalog(objects, where.layout());
            TickService service = new TickService(catalog, ctx.clock());
            var decision = service.decide(schedule);
            if (!decision.isDue()) {
                org.slf4j.LoggerFactory.getLogger(TickCommand.class).debug("tick: nothing due, the next slot is {}",
                        decision.nextSlot().map(Object::toString).orElse("never"));
                out.println("nothing due; next backup at " + decision.nextSlot().map(Object::toString).orElse("never")
                        + " (" + schedule.describe() + ")");
                return 0;
            }
            if (check) {
                out.println("a backup is due (" + schedule.describe() + ")");
                return ExitCode.DUE.code();
            }
            ScheduledRun run = new ScheduledRun(catalog, source, how, policy, lock.resolve(env, "0", where), ctx, out,
                    notifier, where);
            TickService.Result r = service.tick(schedule, (slot, held) -> {
                began.set(true);
                return run.backup(slot, ctx.cancellation(), held);
            }, locking, ctx.cancellation());
            if (r.backup().isEmpty()) {
                out.println("nothing due; the slot was served by another run");
                return 0;
            }
            if (!r.missed().isEmpty()) {
                out.println("missed " + r.missed().size() + " earlier slot(s), not replayed; oldest " + r.missed().get(0));
            }
            out.println("backed up for slot " + r.slot().orElseThrow() + "; next at "
                    + r.next().map(Object::toString).orElse("never"));
            out.flush();
            run.pruneAfterBackup();
        } catch (PgBackupException e) {
            if (!began.get() && !check) {
                notifier.failedBeforeStart(Kind.BACKUP, "tick", where.describe(), where.layout().prefix(),
                        Backups.label(how, source), e);
            }
            throw e;
        }
        return 0;
    }
}
