package io.pgbackup.jobs;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.take.BackupKind;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.backup.take.BackupTransaction;
import io.pgbackup.backup.take.OneDatabase;
import io.pgbackup.backup.take.WholeServer;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.notify.Kind;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.Destination;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.repo.RunLock;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Taking backups, for the backup command, the tick and the daemon alike: the source is checked on
 * the other core while the store opens and the lock is taken, then one {@link BackupTransaction}
 * commits the kind of backup the plan asks for (one database, or the server), reported to the
 * channels. Each run prints its manifest's key.
 */
public record BackupJob(Site site, ConnectionString source, Plan plan, LockPolicy locking, PgTools tools) {

    /**
     * How backups are taken: what to store, and of one database ({@code databases} null) or of the
     * server's databases, {@code parallel} at a time; a progress line every {@code progressEvery}.
     */
    public record Plan(BackupRequest.Contents what, WholeServer.Selection databases, int parallel,
            Duration progressEvery) {
        /** Whether runs back up several databases and the globals (PG_DATABASES). */
        public boolean server() {
            return databases != null;
        }

        /** Uploads at once: two per database in flight (the globals are small). */
        public int uploadsInFlight() {
            return server() ? 2 * parallel : 2;
        }

        /** The database label of notifications and metrics: PG_URI's, or the selection of a server backup. */
        String label(ConnectionString source) {
            if (!server()) {
                return source.database();
            }
            return databases.all() ? "all" : String.join(",", databases.include());
        }
    }

    /** Backups of {@code source} by {@code plan} in {@code site}, waiting LOCK_WAIT (0 when unset) for the lock. */
    public static BackupJob of(Site site, ConnectionString source, Plan plan) {
        return new BackupJob(site, source, plan, site.locking("0"), new PgTools(site.ctx().env()));
    }

    /** An ad hoc backup now (the backup command), labelled {@code label} (or null), under the prefix lock. */
    public Manifest now(String label, PrintWriter out) {
        Cancellation cancel = site.ctx().cancellation();
        BackupRequest req = new BackupRequest(source, plan.what(), BackupRequest.Occasion.adhoc(label));
        // Registered before anything is held: a signal in any phase ends in our cleanup, never a bare exit.
        try (Cancellation.Registration watch = cancel.register(why -> { })) {
            CompletableFuture<BackupKind<?>> check = check(req);
            return reported("backup", cancel, () -> {
                try (ObjectStore objects = site.where().open();
                        PrefixLock held = locking.acquire(objects, site.where().layout(), "backup", site.ctx().clock(),
                                cancel)) {
                    return commit(check, objects, held, cancel, out);
                } catch (IOException e) {
                    throw new PgBackupException(ExitCode.STORAGE, e.getMessage(), e);
                }
            });
        }
    }

    /** A scheduled backup for {@code slot} while the caller holds {@code held} (the tick), reported. */
    Manifest scheduled(Instant slot, ObjectStore objects, RunLock held, PrintWriter out) {
        Cancellation cancel = site.ctx().cancellation();
        BackupRequest req = new BackupRequest(source, plan.what(), BackupRequest.Occasion.scheduled(slot));
        return reported("scheduled backup for slot " + slot, cancel,
                () -> commit(check(req), objects, held, cancel, out));
    }

    /**
     * A scheduled backup for {@code slot} that takes (and releases) its own lock (the daemon),
     * reported from before the lock is taken, so a run that cannot get it is a failure its
     * channels hear about.
     */
    Manifest scheduled(Instant slot, ObjectStore objects, Cancellation cancel, PrintWriter out) {
        BackupRequest req = new BackupRequest(source, plan.what(), BackupRequest.Occasion.scheduled(slot));
        return reported("scheduled backup for slot " + slot, cancel, () -> {
            try (PrefixLock held = locking.acquire(objects, site.where().layout(), "schedule " + slot, site.ctx().clock(),
                    cancel)) {
                return commit(check(req), objects, held, cancel, out);
            }
        });
    }

    /** A run that failed before its backup began (a tick that cannot read the store) is a failed backup. */
    void failedBeforeStart(String command, PgBackupException e) {
        site.reporting().failedBeforeStart(Kind.BACKUP, command, plan.label(source), e);
    }

    private Manifest reported(String command, Cancellation cancel, Supplier<Manifest> job) {
        return site.reporting().run(Kind.BACKUP, command, plan.label(source), cancel, job, Outcomes::backup);
    }

    /**
     * The source's checks, started on their own thread while the store opens and the lock is
     * taken (start-up is mostly class loading: ~0.4 s less to the first byte).
     */
    private CompletableFuture<BackupKind<?>> check(BackupRequest req) {
        return Preflights.start(() -> plan.server()
                ? new WholeServer(req, WholeServer.check(req.source(), plan.databases(), tools), plan.parallel(),
                        plan.progressEvery())
                : OneDatabase.of(req, tools, plan.progressEvery()));
    }

    private Manifest commit(CompletableFuture<BackupKind<?>> check, ObjectStore objects, RunLock held,
            Cancellation cancel, PrintWriter out) {
        // A database that accepts TCP and never answers must not keep us (and the lock) forever.
        BackupKind<?> kind = cancel.await(check, "while checking the source database");
        Manifest m = new BackupTransaction(List.of(new Destination(objects, site.where().layout())), site.ctx().clock(),
                cancel).commit(kind, held);
        out.println(site.where().layout().manifestKey(m.stem()));
        out.flush();
        return m;
    }
}
