package io.pgbackup.backup.take;

import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.pipeline.age.AgeRecipients;
import java.time.Instant;
import java.util.Locale;

/**
 * One backup to take: of {@code source}, {@code what} to store, on which {@code occasion}. For a
 * server backup the source is the server connection (PG_URI), whose database is only where
 * pgbackup connects first.
 */
public record BackupRequest(ConnectionString source, Contents what, Occasion occasion) {

    /**
     * What to store and how: the artifacts, the script's compression, pg_dump's selection options,
     * and, when not null, the age recipients every object is encrypted to.
     */
    public record Contents(BackupFormat format, SqlCompression sqlCompression, DumpOptions dumpOptions,
            AgeRecipients recipients) {
        /** Both artifacts, a zstd script, the whole database, not encrypted. */
        public static final Contents DEFAULT = new Contents(BackupFormat.BOTH, SqlCompression.ZSTD, DumpOptions.none(),
                null);

        public boolean encrypted() {
            return recipients != null;
        }
    }

    /** What started a backup, as the manifest records it. */
    public enum Trigger {
        ADHOC, SCHEDULED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why this backup: an operator's (with an optional label), or the schedule's slot it serves. */
    public record Occasion(Trigger trigger, String label, Instant slot) {
        public static Occasion adhoc(String label) {
            return new Occasion(Trigger.ADHOC, label, null);
        }

        public static Occasion scheduled(Instant slot) {
            return new Occasion(Trigger.SCHEDULED, null, slot);
        }
    }

    /** An ad hoc backup of {@code source} with the defaults (tests, tools). */
    public static BackupRequest of(ConnectionString source) {
        return new BackupRequest(source, Contents.DEFAULT, Occasion.adhoc(null));
    }

    public boolean encrypted() {
        return what.encrypted();
    }

    /** The same backup of another database (a server backup's databases). */
    public BackupRequest withSource(ConnectionString other) {
        return new BackupRequest(other, what, occasion);
    }

    public BackupRequest with(Contents other) {
        return new BackupRequest(source, other, occasion);
    }
}
