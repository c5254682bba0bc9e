package io.pgbackup.backup.take;

import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Destination;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The destinations of one run and which copies it dropped. One read of pg_dump feeds every
 * destination; a copy whose upload fails is dropped (its uploads aborted, its bytes no longer
 * written) while the others go on, and the run reports it. The primary never is: its failure is
 * the run's.
 */
public final class Fanout {
    private final List<Destination> all;
    private final Map<Destination, PgBackupException> dropped = new LinkedHashMap<>();

    public Fanout(List<Destination> all) {
        this.all = List.copyOf(all);
    }

    public List<Destination> all() {
        return all;
    }

    /** The destinations still written to. */
    public synchronized List<Destination> live() {
        return all.stream().filter(d -> !dropped.containsKey(d)).toList();
    }

    /** Drops copy {@code d} for {@code why}; true if this call dropped it (the first failure is kept). */
    synchronized boolean drop(Destination d, PgBackupException why) {
        if (d.required()) {
            throw new IllegalArgumentException("the primary store is never dropped: " + d.describe());
        }
        return dropped.putIfAbsent(d, why) == null;
    }

    public synchronized boolean isDropped(Destination d) {
        return dropped.containsKey(d);
    }

    /** The dropped copies and why, in the order they failed. */
    public synchronized Map<Destination, PgBackupException> dropped() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dropped));
    }
}
