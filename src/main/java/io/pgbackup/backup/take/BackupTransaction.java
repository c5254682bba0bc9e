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
 * The one way a backup of any kind is committed: sweep the leftovers of killed runs, claim a stem
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

    /** Takes and commits a backup of {@code kind} while {@code lock} is held ({@link RunLock#NONE}: none). */
    public <T> Manifest commit(BackupKind<T> kind, RunLock lock) {
        cancellation.check("before the backup started");
        for (Destination d : to) {
            sweep(d, lock);
        }
        Instant started = clock.instant();
        log.info(kind.describe(to.stream().map(d -> d.store().describe()).collect(Collectors.joining(" and "))));
        StemClaim.Marker marker = new StemClaim.Marker(UUID.randomUUID().toString(), lock.leaseId(), ProcessId.self(),
                started);
        Written written = new Written();
        // Registered for the whole run so a signal is always handled by us, never by a bare exit.
        try (Cancellation.Registration watching = cancellation.register(why -> log.warn("stop requested ({})", why));
                StemClaim claim = StemClaim.acquire(to, started, marker)) {
            String stem = claim.stem();
            T taken = kind.take(stem, to, cancellation);
            for (Destination d : to) {
                written.objects.put(d, new ArrayList<>(kind.objects(taken, d)));
            }
            Instant finished = clock.instant();
            abortIfStopped(lock);
            BackupKind.Stamp stamp = new BackupKind.Stamp(stem, started, finished);
            Map<Destination, Manifest> manifests = new LinkedHashMap<>();
            for (Destination d : to) {
                List<Manifest.StoredObject> objects = written.objects.get(d);
                Manifest m = kind.manifest(stamp, taken, List.copyOf(objects));
                if (kind.recipients() != null) {
                    // Table names and row counts go into an encrypted catalog, written before the manifest.
                    objects.add(storeCatalog(d, m, kind.recipients()));
                    m = m.withObjects(List.copyOf(objects));
                }
                manifests.put(d, m);
            }
            abortIfStopped(lock);
            for (Map.Entry<Destination, Manifest> e : manifests.entrySet()) {
                Destination d = e.getKey();
                Manifest m = e.getValue();
                // An encrypted backup's manifest is written without what its catalog holds.
                d.store().put(d.layout().manifestKey(stem), new ByteArrayInputStream(ManifestCodec.encode(
                        m.encrypted() ? m.readable() : m)));
                written.manifests.put(d, d.layout().manifestKey(stem));
            }
            lock.committed();
            Manifest primary = manifests.get(to.get(0));
            kind.committed(primary, taken);
            return primary;
        } catch (PgBackupException e) {
            written.delete();
            throw e;
        } catch (IOException e) {
            written.delete();
            throw new PgBackupException(ExitCode.STORAGE, "backup failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            written.delete();
            throw e;
        }
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
            d.store().put(key, new ByteArrayInputStream(sealed));
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
