package io.pgbackup.jobs;

import io.pgbackup.Bytes;
import io.pgbackup.backup.prune.PruneService;
import io.pgbackup.notify.Kind;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.retention.Decision;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.PgBackupException;
import io.pgbackup.config.Durations;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.ObjectStore;
import java.time.Duration;
import java.io.PrintWriter;

/**
 * Applying a retention policy, for the prune command and after scheduled backups (PRUNE): the plan
 * with a reason per backup, then, under the prefix lock, the deletions (manifest first). A real
 * prune is reported; a dry run deletes nothing and reports nothing.
 */
public record PruneJob(Site site, RetentionPolicy policy, LockPolicy locking, PruneService.Guard guard) {

    /**
     * Prunes by {@code policy}, waiting LOCK_WAIT (0 when unset) for the lock. Under an Object Lock
     * the policy must keep every backup as long as it is locked (KEEP_WITHIN at least S3_LOCK_FOR):
     * anything else is a configuration error, before anything runs.
     */
    public static PruneJob of(Site site, RetentionPolicy policy) {
        return of(site, policy, PruneService.Guard.DEFAULT.keepDrilled(), false);
    }

    /**
     * ... with the retention guard: the newest {@code keepDrilled} backups with a passed drill stay,
     * and nothing is deleted after an anomalous backup unless {@code force}.
     */
    public static PruneJob of(Site site, RetentionPolicy policy, int keepDrilled, boolean force) {
        requireKeepsLocked(policy, site.where());
        PruneService.Guard g = PruneService.Guard.DEFAULT;
        return new PruneJob(site, policy, site.locking("0"), new PruneService.Guard(keepDrilled, force, g.anomalies()));
    }

    static void requireKeepsLocked(RetentionPolicy policy, Repository where) {
        ObjectLock lock = where.lock();
        Duration within = policy.keepWithin();
        if (!lock.on() || within != null && within.compareTo(lock.lockFor()) >= 0) {
            return;
        }
        String p = Repository.COPY.equals(where.name()) ? "COPY_" : "";
        String length = Durations.format(lock.lockFor());
        throw PgBackupException.config("the retention policy may delete backups younger than " + p + "S3_LOCK_FOR "
                + length + " (" + p + "KEEP_WITHIN is " + (within == null ? "unset" : Durations.format(within))
                + "), which stay locked that long: set " + p + "KEEP_WITHIN (or --keep-within) to at least " + length
                + ", or shorten " + p + "S3_LOCK_FOR");
    }

    /** Prints what a prune would do. */
    public void dryRun(PrintWriter out) {
        site.where().use(objects -> print(service(objects).plan(policy, site.ctx().clock().instant()), out, "would "));
    }

    /** Prunes, printing the plan and what was deleted. */
    public void run(PrintWriter out) {
        site.where().use(objects -> run(objects, out));
    }

    /**
     * The prune after a scheduled backup: in the open {@code primary} store when it prunes the
     * first store, else in its own (the second store, pruned by its COPY_KEEP_* policy).
     */
    void afterBackup(ObjectStore primary, PrintWriter out) {
        if (Repository.COPY.equals(site.where().name())) {
            run(out);
        } else {
            run(primary, out);
        }
    }

    /** Prunes in the open {@code objects} (the daemon's and the tick's store). */
    void run(ObjectStore objects, PrintWriter out) {
        var ctx = site.ctx();
        PruneService service = service(objects);
        site.reporting().run(Kind.PRUNE, "prune", Reporting.configuredDatabase(ctx.env()), ctx.cancellation(), () -> {
            try (PrefixLock held = locking.acquire(objects, site.where().layout(), "prune", ctx.clock(),
                    ctx.cancellation())) {
                PruneService.Outcome o = service.plan(policy, ctx.clock().instant(), guard);
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
        if (o.refused() != null) {
            out.println("REFUSED: " + o.refused());
        }
        out.printf("%s: keep %d, %sdelete %d, %sremove %d leftover(s)%n", mood.isEmpty() ? "plan" : "dry run",
                o.plan().keep().size(), mood, o.plan().delete().size(), mood, o.leftovers().size());
        out.flush();
    }
}
