package io.pgbackup.cli;

import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.backup.prune.PruneService;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.retention.Decision;
import io.pgbackup.retention.RetentionPolicy;
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

    @Option(names = "--dry-run", description = "Print the plan with the reason for each keep/delete; delete nothing.")
    boolean dryRun;

    @Mixin
    LockOptions lock = new LockOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        CronOptions zoneOnly = new CronOptions();
        zoneOnly.tz = tz;
        RetentionPolicy policy = retention.resolve(env, zoneOnly.zone(env));
        StoreOptions.Resolved where = store.resolve(env);
        LockPolicy locking = lock.resolve(env, "0", where);
        Notifier notifier = notify.resolve(env, ctx.clock());
        try (ObjectStore objects = where.open()) {
            run(new Catalog(objects, where.layout()), policy, dryRun, locking, ctx, spec.commandLine().getOut(), notifier,
                    where);
        }
        return 0;
    }

    /** Shared with the scheduler's PRUNE option; a real prune (not a dry run) is reported. */
    static void run(Catalog catalog, RetentionPolicy policy, boolean dryRun, LockPolicy locking, Context ctx,
            PrintWriter out, Notifier notifier, StoreOptions.Resolved where) {
        PruneService service = new PruneService(catalog);
        if (dryRun) {
            print(service.plan(policy, ctx.clock().instant()), out, "would ");
            return;
        }
        Reported.run(notifier, Kind.PRUNE, "prune", where, Reported.configuredDatabase(ctx.env()), ctx.cancellation(), () -> {
            try (PrefixLock held = locking.acquire(catalog.store(), catalog.layout(), "prune", ctx.clock(),
                    ctx.cancellation())) {
                PruneService.Outcome o = service.plan(policy, ctx.clock().instant());
                print(o, out, "");
                PruneService.Applied a = service.apply(o, held, ctx.clock().instant());
                out.println("deleted " + o.plan().delete().size() + " backup(s) and " + (o.leftovers().size()
                        + a.sweptRuns()) + " leftover(s): " + a.objects() + " object(s); aborted " + a.abortedUploads()
                        + " pending upload(s) (" + io.pgbackup.Bytes.format(a.abortedBytes()) + ")");
                out.flush();
                return Outcomes.prune(o.plan().delete().size(), a.objects(), a.abortedUploads(), ctx.clock().instant());
            }
        }, outcome -> outcome);
    }

    private static void print(PruneService.Outcome o, PrintWriter out, String mood) {
        for (Decision d : o.plan().decisions()) {
            out.printf("%-7s %-24s %s%n", d.keep() ? "keep" : mood.isEmpty() ? "delete" : "DELETE", d.backup().stem(),
                    String.join(", ", d.reasons()));
        }
        for (var i : o.leftovers()) {
            out.printf("%-7s %-24s %s%n", mood.isEmpty() ? "remove" : "REMOVE", i.stem(),
                    "leftover of an interrupted backup (" + i.objects().size() + " object(s), " + i.pending().size()
                            + " pending upload(s))");
        }
        for (var u : o.unreadable()) {
            out.printf("%-7s %-24s %s%n", "keep", u.stem(), "manifest unreadable, never pruned: " + u.reason());
        }
        out.printf("%s: keep %d, %sdelete %d, %sremove %d leftover(s)%n", mood.isEmpty() ? "plan" : "dry run",
                o.plan().keep().size(), mood, o.plan().delete().size(), mood, o.leftovers().size());
        out.flush();
    }
}
