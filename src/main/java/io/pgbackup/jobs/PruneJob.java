package io.pgbackup.jobs;

import io.pgbackup.Bytes;
import io.pgbackup.backup.prune.PruneService;
import io.pgbackup.notify.Kind;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.retention.Decision;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.storage.ObjectStore;
import java.io.PrintWriter;

/**
 * Applying a retention policy, for the prune command and after scheduled backups (PRUNE): the plan
 * with a reason per backup, then, under the prefix lock, the deletions (manifest first). A real
 * prune is reported; a dry run deletes nothing and reports nothing.
 */
public record PruneJob(Site site, RetentionPolicy policy, LockPolicy locking) {

    /** Prunes by {@code policy}, waiting LOCK_WAIT (0 when unset) for the lock. */
    public static PruneJob of(Site site, RetentionPolicy policy) {
        return new PruneJob(site, policy, site.locking("0"));
    }

    /** Prints what a prune would do. */
    public void dryRun(PrintWriter out) {
        site.where().use(objects -> print(service(objects).plan(policy, site.ctx().clock().instant()), out, "would "));
    }

    /** Prunes, printing the plan and what was deleted. */
    public void run(PrintWriter out) {
        site.where().use(objects -> run(objects, out));
    }

    /** Prunes in the open {@code objects} (the daemon's and the tick's store). */
    void run(ObjectStore objects, PrintWriter out) {
        var ctx = site.ctx();
        PruneService service = service(objects);
        site.reporting().run(Kind.PRUNE, "prune", Reporting.configuredDatabase(ctx.env()), ctx.cancellation(), () -> {
            try (PrefixLock held = locking.acquire(objects, site.where().layout(), "prune", ctx.clock(),
                    ctx.cancellation())) {
                PruneService.Outcome o = service.plan(policy, ctx.clock().instant());
                print(o, out, "");
                PruneService.Applied a = service.apply(o, held, ctx.clock().instant());
                out.println("deleted " + o.plan().delete().size() + " backup(s) and " + (o.leftovers().size()
                        + a.sweptRuns()) + " leftover(s): " + a.objects() + " object(s); aborted " + a.abortedUploads()
                        + " pending upload(s) (" + Bytes.format(a.abortedBytes()) + ")");
                out.flush();
                return Outcomes.prune(o.plan().delete().size(), a.objects(), a.abortedUploads(), ctx.clock().instant());
            }
        }, outcome -> outcome);
    }

    private PruneService service(ObjectStore objects) {
        return new PruneService(new Catalog(objects, site.where().layout()));
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
