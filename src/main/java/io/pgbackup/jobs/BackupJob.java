package io.pgbackup.jobs;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.take.BackupKind;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.backup.take.BackupTransaction;
import io.pgbackup.backup.take.OneDatabase;
import io.pgbackup.backup.take.Previous;
import io.pgbackup.backup.take.SourceCheck;
import io.pgbackup.backup.take.WholeServer;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.notify.Kind;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.Destination;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.repo.RunLock;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.s3.S3ObjectStore;
import io.pgbackup.storage.s3.S3Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taking backups, for the backup command, the tick and the daemon alike: the source is checked on
 * the other core while the store opens and the lock is taken, then one {@link BackupTransaction}
 * commits the kind of backup the plan asks for (one database, or the server), reported to the
 * channels. Each run prints its manifest's key.
 */
public record BackupJob(Site site, ConnectionString source, Plan plan, LockPolicy locking, PgTools tools) {
    private static final Logger log = LoggerFactory.getLogger(BackupJob.class);

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

    /**
     * An ad hoc backup now (the backup command), labelled {@code label} (or null), under the prefix
     * lock; then its copy's outcome (COPY_FAILED when the second store did not get it).
     */
    public Manifest now(String label, PrintWriter out) {
        Cancellation cancel = site.ctx().cancellation();
        BackupRequest req = new BackupRequest(source, plan.what(), BackupRequest.Occasion.adhoc(label));
        // Registered before anything is held: a signal in any phase ends in our cleanup, never a bare exit.
        try (Cancellation.Registration watch = cancel.register(why -> { })) {
            var check = check(req);
            BackupTransaction.Committed c = reported("backup", cancel, () -> {
                try (ObjectStore objects = site.where().open();
                        PrefixLock held = locking.acquire(objects, site.where().layout(), "backup", site.ctx().clock(),
                                cancel)) {
                    return commit(check, objects, held, cancel, out);
                } catch (IOException e) {
                    throw new PgBackupException(ExitCode.STORAGE, e.getMessage(), e);
                }
            });
            reportCopy(c, cancel);
            return c.manifest();
        }
    }

    /** A scheduled backup for {@code slot} while the caller holds {@code held} (the tick), reported. */
    BackupTransaction.Committed scheduled(Instant slot, ObjectStore objects, RunLock held, PrintWriter out) {
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
    BackupTransaction.Committed scheduled(Instant slot, ObjectStore objects, Cancellation cancel, PrintWriter out) {
        BackupRequest req = new BackupRequest(source, plan.what(), BackupRequest.Occasion.scheduled(slot));
        return reported("scheduled backup for slot " + slot, cancel, () -> {
            try (PrefixLock held = locking.acquire(objects, site.where().layout(), "schedule " + slot, site.ctx().clock(),
                    cancel)) {
                return commit(check(req), objects, held, cancel, out);
            }
        });
    }

    /**
     * The copy's own outcome, reported apart from the backup's (never a rewrite of it): success,
     * or COPY_FAILED naming the store, the cause and the way to complete it. Nothing without a
     * second store.
     */
    void reportCopy(BackupTransaction.Committed c, Cancellation cancel) {
        if (c.copies().isEmpty()) {
            return;
        }
        String stem = c.manifest().stem();
        site.reporting().run(Kind.COPY, "copy of backup " + stem, plan.label(source), cancel, () -> {
            c.droppedCopies().forEach((d, why) -> {
                throw new PgBackupException(ExitCode.COPY_FAILED, "backup " + stem + " is complete in "
                        + site.where().describe() + " but not in the second store " + d.describe() + ": "
                        + why.getMessage() + " (pgbackup sync copies it)", why);
            });
            return c;
        }, x -> Outcomes.copy(x.manifest(), site.copy().describe(), site.ctx().clock().instant()));
    }

    /** A run that failed before its backup began (a tick that cannot read the store) is a failed backup. */
    void failedBeforeStart(String command, PgBackupException e) {
        site.reporting().failedBeforeStart(Kind.BACKUP, command, plan.label(source), e);
    }

    private BackupTransaction.Committed reported(String command, Cancellation cancel,
            Supplier<BackupTransaction.Committed> job) {
        return site.reporting().run(Kind.BACKUP, command, plan.label(source), cancel, job, c -> Outcomes.backup(c.manifest()));
    }

    /**
     * The source's checks, started on their own thread while the store opens and the lock is
     * taken (start-up is mostly class loading: ~0.4 s less to the first byte). They yield the
     * backup, once what the previous backup stored is known.
     */
    private CompletableFuture<Function<Previous, BackupKind<?>>> check(BackupRequest req) {
        return Preflights.start(() -> {
            if (plan.server()) {
                WholeServer.Check c = WholeServer.check(req.source(), plan.databases(), tools);
                return previous -> new WholeServer(req, c, plan.parallel(), plan.progressEvery(), previous);
            }
            SourceCheck c = SourceCheck.of(req.source(), tools);
            return previous -> new OneDatabase(req, c, plan.progressEvery(), previous);
        });
    }

    /**
     * What the newest backup in the store stored, read while the source is checked: with the
     * database's size it sizes the upload parts. Best effort: a store that cannot be read here
     * fails the backup's own writes a moment later, with their own words.
     */
    private Previous previous(ObjectStore objects) {
        if (site.where().s3() == null) {
            return Previous.NONE; // a directory has no parts to size
        }
        try {
            return Previous.of(new Catalog(objects, site.where().layout()).newest().orElse(null));
        } catch (PgBackupException e) {
            log.warn("could not read the newest backup to size the upload parts (the database's size alone will): {}",
                    e.getMessage());
            return Previous.NONE;
        }
    }

    /**
     * Whether this backup's uploads (to every store at once) fit the heap, or the disk parts may be
     * staged on: exit 2 naming the heap (and the machine) it needs before anything is written.
     */
    private void checkUploads(BackupKind<?> kind, Repository copy) {
        List<Long> expected = kind.expectedUploads();
        List<S3Settings.Upload> uploads = new ArrayList<>(site.where().uploads(expected));
        if (copy != null) {
            uploads.addAll(copy.uploads(expected));
        }
        if (!uploads.isEmpty()) {
            log.info("uploads: {}", S3Settings.checkUploads(uploads, Runtime.getRuntime().maxMemory(),
                    S3ObjectStore.stagingSpace()));
        }
    }

    private BackupTransaction.Committed commit(CompletableFuture<Function<Previous, BackupKind<?>>> check,
            ObjectStore objects, RunLock held, Cancellation cancel, PrintWriter out) {
        Previous previous = previous(objects);
        // A database that accepts TCP and never answers must not keep us (and the lock) forever.
        BackupKind<?> kind = cancel.await(check, "while checking the source database").apply(previous);
        Repository copy = site.copy();
        checkUploads(kind, copy);
        try (ObjectStore second = copy == null ? null : copy.open()) {
            List<Destination> to = new ArrayList<>(List.of(site.where().destination(objects)));
            if (second != null) {
                to.add(copy.destination(second));
            }
            BackupTransaction.Committed c = new BackupTransaction(to, site.ctx().clock(), cancel).commitAll(kind, held);
            out.println(site.where().layout().manifestKey(c.manifest().stem()));
            out.flush();
            return c;
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "closing the second store: " + e.getMessage(), e);
        }
    }
}
