package io.pgbackup.repo;

import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.time.Instant;

/**
 * The lock a run holds on its prefix while it writes: the {@link PrefixLock} lease, or
 * {@link #NONE}, which holds nothing (tests, and callers that serialize runs themselves). A run
 * asks it, never whether it has one.
 *
 * <p>Contract: {@link #check} throws {@code LOCKED} once the lease was lost, so a run that lost
 * it never commits; {@link #sweepOrphans} removes only what belongs to no live run, and only while
 * a lease is held (without one, another run's work in progress cannot be told from debris);
 * {@link #close} releases the lease if it is still this run's, and never throws.
 */
public interface RunLock extends AutoCloseable {
    /** The lease id a run's markers name (its work is not debris while this lease lives). */
    String leaseId();

    /** Why the lease was lost, or null while it holds (always null for {@link #NONE}). */
    String lost();

    /** Throws LOCKED when the lease was lost: called right before a run commits. */
    void check();

    /** The run wrote what it came for (a manifest, a prune): what the store probe found may be remembered. */
    void committed();

    /**
     * Aborts uploads and removes markers and objects of runs that are no longer alive on the
     * prefix of {@code layout} in {@code store}; nothing without a lease.
     */
    OrphanSweeper.Swept sweepOrphans(ObjectStore store, KeyLayout layout, Instant now) throws IOException;

    @Override
    void close();

    /** Holds nothing: no lease, nothing swept, never lost. */
    RunLock NONE = new RunLock() {
        @Override
        public String leaseId() {
            return "unlocked";
        }

        @Override
        public String lost() {
            return null;
        }

        @Override
        public void check() {
            // nothing held, nothing to lose
        }

        @Override
        public void committed() {
            // nothing probed under it
        }

        @Override
        public OrphanSweeper.Swept sweepOrphans(ObjectStore store, KeyLayout layout, Instant now) {
            return OrphanSweeper.Swept.NOTHING;
        }

        @Override
        public void close() {
            // nothing to release
        }
    };
}
