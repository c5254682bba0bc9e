package io.pgbackup.notify;

import java.util.Locale;

/** What kind of run an event is about; webhook event names and metric groups follow it. */
public enum Kind {
    BACKUP,
    /** The copy of a backup to the second store (COPY_), reported apart from the backup itself. */
    COPY,
    DRILL,
    PRUNE,
    STATUS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
