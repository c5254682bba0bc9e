package io.pgbackup.backup.take;

import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.pipeline.age.AgeRecipients;
import java.time.Instant;

/**
 * One backup to take. {@code trigger} is {@code adhoc} or {@code scheduled}; {@code slot} is the
 * cron fire time a scheduled backup serves (null for ad hoc ones); {@code recipients}, when not
 * null, the age public keys every object is encrypted to.
 */
public record BackupRequest(
        ConnectionString source,
        BackupFormat format,
        SqlCompression sqlCompression,
        String label,
        String trigger,
        Instant slot,
        DumpOptions dumpOptions,
        AgeRecipients recipients) {

    public static final String ADHOC = "adhoc";

    /** An unencrypted backup. */
    public BackupRequest(ConnectionString source, BackupFormat format, SqlCompression sqlCompression, String label,
            String trigger, Instant slot, DumpOptions dumpOptions) {
        this(source, format, sqlCompression, label, trigger, slot, dumpOptions, null);
    }

    public boolean encrypted() {
        return recipients != null;
    }
    public static final String SCHEDULED = "scheduled";
}
