package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.Destination;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pipeline.age.AgeRecipients;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * What differs between kinds of backup (one database, the whole server) inside the one
 * {@link BackupTransaction}: which streams run and what the manifest says. The transaction does the
 * rest the same way for every kind.
 *
 * @param <T> what the kind's streams produced, up to its manifest
 */
public interface BackupKind<T> {
    /** The run's first log line, for a backup going to {@code where}. */
    String describe(String where);

    /**
     * Runs the streams of the backup at {@code stem} into every live destination of {@code to}.
     * Either returns with every object stored in the primary and in every copy not dropped on the
     * way, or throws having left none of them behind.
     */
    T take(String stem, Fanout to, Cancellation cancellation) throws IOException;

    /** The objects {@link #take} stored in {@code d} (a live destination), in manifest order. */
    List<Manifest.StoredObject> objects(T taken, Destination d);

    /** The manifest of the backup, listing {@code objects} (one destination's). */
    Manifest manifest(Stamp stamp, T taken, List<Manifest.StoredObject> objects);

    /**
     * The sizes the objects uploaded at once are expected to reach at most (the worst moment of
     * the run): with the store's part limit they size the uploads' parts and buffers.
     */
    List<Long> expectedUploads();

    /** To whom the backup is encrypted (its catalog too), or null. */
    AgeRecipients recipients();

    /** Told once the backup is committed (its summary line). */
    void committed(Manifest m, T taken);

    /** The stem and the times of a run, as the transaction measured them. */
    record Stamp(String stem, Instant startedAt, Instant finishedAt) {}
}
