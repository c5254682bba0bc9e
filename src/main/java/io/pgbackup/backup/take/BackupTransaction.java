package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ProcessId;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pipeline.age.AgeRecipients;
import io.pgbackup.pipeline.age.AgeStage;
import io.pgbackup.repo.Destination;
import io.pgbackup.repo.LockProbe;
import io.pgbackup.repo.OrphanSweeper;
import io.pgbackup.repo.RunLock;
import io.pgbackup.repo.StemClaim;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a backup of any kind is committed: sweep the leftovers of killed runs (and, for an
 * Object Lock, check once that the store enforces it), claim a stem
 * in every destination, let the {@link BackupKind} run its streams, check the lease, store the
 * encrypted catalog, and write each destination's manifest last. The manifest is the commit
 * point: a backup without one does not exist.
 *
 * <p>Contract: {@link #commit} either returns the first destination's manifest with every
 * destination committed, or throws a {@link PgBackupException} (storage failures as STORAGE, a
 * lost lease as LOCKED, a stop as the stop's code) having deleted everything this run wrote,
 * manifests first, in every destination; it never touches earlier backups. What a crash leaves
 * (markers, pending uploads) is swept by the next locked run.
 */
public final class BackupTransaction {
    private static final Logger log = LoggerFactory.getLogger(BackupTransaction.class);
    private final List<Destination> to;
    private final Clock clock;
    private final Cancellation cancellation;

    /** A transaction committing to {@code to} (at least one; the first is the primary). */
    public BackupTransaction(List<Destination> to, Clock clock, Cancellation cancellation) {
        if (to.isEmpty()) {
            throw new IllegalArgumentException("a backup needs a destination");
        }
        this.to = List.copyOf(to);
        this.clock = clock;
        this.cancellation = cancellation;
    }

    /**
     * What a commit did: the primary's manifest (the backup), and each copy that was dropped on
     * the way with why (its objects removed; the backup stands in the primary).
     */
    public record Committed(Manifest manifest, Map<Destination, PgBackupException> droppedCopies,
            List<Destination> copies) {
        public boolean copiesComplete() {
            return droppedCopies.isEmpty();
        }
    }

    /** Takes and commits a backup of {@code kind} while {@code lock} is held ({@link RunLock#NONE}: none). */
    public <T> Manifest commit(BackupKind<T> kind, RunLock lock) {
        return commitAll(kind, lock).manifest();
    }

    /**
     * Takes and commits a backup of {@code kind} to every destination while {@code lock} is held.
     * The primary's failure is the backup's (nothing of it remains anywhere); a copy's failure
     * drops that copy only, and is in the result.
     */
    public <T> Committed commitAll(BackupKind<T> kind, RunLock lock) {
        cancellation.check("before the backup started");
        Instant started = clock.instant();
        Fanout fanout = new Fanout(to.stream().map(d -> d.startedAt(started)).toList());
        for (Destination d : fanout.all()) {
            try {
                sweep(d, lock);
                // A lock the store does not enforce is refused before anything is written to it.
                LockProbe.ensure(d.store(), d.layout(), d.lock(), clock);
            } catch (PgBackupException e) {
                dropOrThrow(fanout, d, e, null);
            }
        }
        log.info(kind.describe(fanout.live().stream().map(d -> d.store().describe())
                .collect(Collectors.joining(" and "))));
        StemClaim.Marker marker = new StemClaim.Marker(UUID.randomUUID().toString(), lock.leaseId(), ProcessId.self(),
                started);
        Written written = new Written();
        // Registered for the whole run so a signal is always handled by us, never by a bare exit.
        try (Cancellation.Registration watching = cancellation.register(why -> log.warn("stop requested ({})", why));
                StemClaim claim = StemClaim.acquire(fanout.live(), started, marker, (d, e) -> fanout.drop(d,
                        storage("cannot claim a stem in " + d.describe(), e)))) {
            String stem = claim.stem();
            T taken = kind.take(stem, fanout, cancellation);
            for (Destination d : fanout.live()) {
                written.objects.put(d, new ArrayList<>(kind.objects(taken, d)));
            }
            fanout.dropped().keySet().forEach(d -> purge(d, stem));
            Instant finished = clock.instant();
            abortIfStopped(lock);
            BackupKind.Stamp stamp = new BackupKind.Stamp(stem, started, finished);
            Map<Destination, Manifest> manifests = new LinkedHashMap<>();
            for (Destination d : fanout.live()) {
                try {
                    manifests.put(d, manifest(kind, taken, stamp, d, written.objects.get(d)));
                } catch (IOException e) {
                    dropOrThrow(fanout, d, storage("cannot store the catalog of " + stem + " in " + d.describe(), e),
                            stem);
                    written.forget(d);
                }
            }
            abortIfStopped(lock);
            Manifest primary = null;
            for (Map.Entry<Destination, Manifest> e : manifests.entrySet()) {
                Destination d = e.getKey();
                try {
                    commit(d, e.getValue(), written);
                } catch (IOException x) {
                    dropOrThrow(fanout, d, storage("cannot write the manifest of " + stem + " in " + d.describe(), x),
                            stem);
                    written.forget(d);
                    continue;
                }
                primary = d.required() ? e.getValue() : primary;
            }
            lock.committed();
            kind.committed(primary, taken);
            fanout.dropped().forEach((d, why) -> log.warn("backup {} is not in {}: {}", stem, d.describe(),
                    why.getMessage()));
            return new Committed(primary, fanout.dropped(), fanout.all().stream().filter(d -> !d.required()).toList());
        } catch (PgBackupException e) {
            written.delete();
            throw e;
        } catch (IOException | java.io.UncheckedIOException e) {
            written.delete();
            throw new PgBackupException(ExitCode.STORAGE, "backup failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            written.delete();
            throw e;
        }
    }

    /** One destination's manifest, with the encrypted catalog stored first when the backup is encrypted. */
    private static <T> Manifest manifest(BackupKind<T> kind, T taken, BackupKind.Stamp stamp, Destination d,
            List<Manifest.StoredObject> objects) throws IOException {
        Manifest m = kind.manifest(stamp, taken, List.copyOf(objects));
        if (kind.recipients() != null) {
            // Table names and row counts go into an encrypted catalog, written before the manifest.
            objects.add(storeCatalog(d, m, kind.recipients()));
            m = m.withObjects(List.copyOf(objects));
        }
        return m;
    }

    /** The commit point of one destination: its manifest, written last. */
    private static void commit(Destination d, Manifest m, Written written) throws IOException {
        String key = d.layout().manifestKey(m.stem());
        // An encrypted backup's manifest is written without what its catalog holds.
        d.put(key, new ByteArrayInputStream(ManifestCodec.encode(m.encrypted() ? m.readable() : m)));
        written.manifests.put(d, key);
    }

    /** A copy's failure drops it (its objects go); the primary's is the backup's. */
    private void dropOrThrow(Fanout fanout, Destination d, PgBackupException e, String stem) {
        if (d.required()) {
            throw e;
        }
        fanout.drop(d, e);
        if (stem != null) {
            purge(d, stem);
        }
    }

    /** Removes what this run stored under {@code stem} in a dropped copy (the stem is this run's there). */
    private static void purge(Destination d, String stem) {
        try {
            for (String prefix : List.of(d.layout().stemObjectsPrefix(stem), d.layout().stemDatabasesPrefix(stem))) {
                for (var o : d.store().list(prefix)) {
                    if (!io.pgbackup.manifest.KeyLayout.isMarker(o.key())) {
                        d.store().delete(o.key());
                    }
                }
            }
        } catch (IOException e) {
            log.warn("could not remove the partial copy {} from {}: {} (the next locked run sweeps it)", stem,
                    d.describe(), e.getMessage());
        }
    }

    private static PgBackupException storage(String what, Exception e) {
        return e instanceof PgBackupException p ? p
                : new PgBackupException(ExitCode.STORAGE, what + ": " + e.getMessage(), e);
    }

    /** A stop or a lost lease before the commit: nothing is committed (the caller deletes what was written). */
    private void abortIfStopped(RunLock lock) {
        lock.check();
        cancellation.check("before the manifest was written: backup aborted, nothing stored");
    }

    /** Aborts uploads and removes markers and objects of killed runs (only while a lease is held). */
    private void sweep(Destination d, RunLock lock) {
        try {
            OrphanSweeper.Swept s = lock.sweepOrphans(d.store(), d.layout(), clock.instant());
            if (!s.isEmpty()) {
                log.info("removed the leftovers of {} interrupted backup(s): {} pending upload(s) ({}) aborted, {} "
                        + "object(s) deleted", s.stems().size(), s.abortedUploads(), Progress.bytes(s.abortedBytes()),
                        s.deletedObjects());
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot clean up interrupted backups in " + d.store().describe()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Stores the encrypted catalog of {@code m} (table names, row counts) in {@code d}. */
    private static Manifest.StoredObject storeCatalog(Destination d, Manifest m, AgeRecipients recipients)
            throws IOException {
        String key = d.layout().catalogKey(m.stem());
        try {
            byte[] sealed = new AgeStage(recipients).encrypt(ManifestCodec.encode(m.contents()));
            d.put(key, new ByteArrayInputStream(sealed));
            return new Manifest.StoredObject(key, Manifest.CATALOG_FORMAT, "none", sealed.length,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sealed)),
                    Manifest.Encryption.AGE);
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            throw new IOException("cannot store " + key + ": " + e.getMessage(), e);
        }
    }

    /** What this run wrote, so that a failure removes it all: manifests first, then the objects. */
    private static final class Written {
        final Map<Destination, List<Manifest.StoredObject>> objects = new LinkedHashMap<>();
        final Map<Destination, String> manifests = new LinkedHashMap<>();

        /** A dropped copy's objects are purged with it: nothing left to undo there. */
        void forget(Destination d) {
            objects.remove(d);
            manifests.remove(d);
        }

        void delete() {
            // The manifests first: from then on the backup does not exist, whatever else a failure leaves.
            manifests.forEach(Written::deleteQuietly);
            objects.forEach((d, list) -> list.forEach(o -> deleteQuietly(d, o.key())));
        }

        private static void deleteQuietly(Destination d, String key) {
            try {
                d.store().delete(key);
            } catch (IOException e) {
                log.warn("could not delete {} in {}: {}", key, d.store().describe(), e.getMessage());
            }
        }
    }
}
