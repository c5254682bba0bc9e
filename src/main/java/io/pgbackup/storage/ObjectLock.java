package io.pgbackup.storage;

import java.time.Duration;
import java.time.Instant;

/**
 * What pgbackup locks its backups with: S3 Object Lock in {@code mode} for {@code lockFor} from
 * each backup's start ({@link #OFF}: nothing). Every object of a backup (archive, script, globals,
 * catalog, manifest) gets the same retain-until date, so a backup is locked as a whole.
 *
 * @param verify whether the store must first be shown to enforce the lock (a locked version that
 *               can be deleted is no lock); false only when the operator accepted an unproven store
 */
public record ObjectLock(Retention.Mode mode, Duration lockFor, boolean verify) {
    public static final ObjectLock OFF = new ObjectLock(null, Duration.ZERO, false);

    public boolean on() {
        return mode != null;
    }

    /** The retention of a backup started at {@code start}, or null when off. */
    public Retention retentionFrom(Instant start) {
        return on() ? new Retention(mode, start.plus(lockFor)) : null;
    }

    /** For messages: {@code governance for 30d}, or {@code off}. */
    public String describe() {
        return on() ? mode.label() + " for " + io.pgbackup.config.Durations.format(lockFor) : "off";
    }
}
