package io.pgbackup.jobs;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Catalog;
import io.pgbackup.schedule.CronSchedule;
import io.pgbackup.schedule.TickDecision;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import io.pgbackup.backup.take.BackupTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One wake-up of a coarse platform schedule (Fly's hourly machines): back up once when a slot of
 * {@code schedule} came due (see {@link TickService}), then prune when asked to. A tick with nothing
 * due sends nothing (the ping's period is the backup schedule), but one that fails before its
 * backup begins (the store cannot be read) is a failed backup.
 *
 * @param prunes after a backup (PRUNE): the first store's and, when there is one, the second's
 */
public record TickJob(Site site, CronSchedule schedule, BackupJob backups, List<PruneJob> prunes) {
    private static final Logger log = LoggerFactory.getLogger(TickJob.class);

    /**
     * Decides and, unless {@code checkOnly}, backs up; returns the exit code: 0, or with
     * {@code checkOnly} DUE (12) when a backup is due. Takes the lock only when one is due,
     * waiting LOCK_WAIT (30m when unset: ticks queue behind each other).
     */
    public int run(boolean checkOnly, PrintWriter out) {
        var ctx = site.ctx();
        AtomicBoolean began = new AtomicBoolean();
        try {
            return site.where().with(objects -> {
                TickService service = new TickService(new Catalog(objects, site.where().layout()), ctx.clock());
                TickDecision decision = service.decide(schedule);
                if (!decision.isDue()) {
                    log.debug("tick: nothing due, the next slot is {}",
                            decision.nextSlot().map(Object::toString).orElse("never"));
                    out.println("nothing due; next backup at " + decision.nextSlot().map(Object::toString).orElse("never")
                            + " (" + schedule.describe() + ")");
                    return 0;
                }
                if (checkOnly) {
                    out.println("a backup is due (" + schedule.describe() + ")");
                    return ExitCode.DUE.code();
                }
                AtomicReference<BackupTransaction.Committed> committed = new AtomicReference<>();
                TickService.Result r = service.tick(schedule, (slot, held) -> {
                    began.set(true);
                    committed.set(backups.scheduled(slot, objects, held, out));
                    return committed.get().manifest();
                }, site.locking("30m"), ctx.cancellation());
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
                prunes.forEach(p -> p.afterBackup(objects, out));
                backups.reportCopy(committed.get(), ctx.cancellation()); // after the prune: the backup stands
                return 0;
            });
        } catch (PgBackupException e) {
            if (!began.get() && !checkOnly) {
                backups.failedBeforeStart("tick", e);
            }
            throw e;
        }
    }
}
