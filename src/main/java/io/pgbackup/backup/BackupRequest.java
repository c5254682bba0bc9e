package io.pgbackup.backup;

import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pipeline.SqlCompression;
import java.time.Instant;

/**
 * One backup to take. {@code trigger} is {@code adhoc} or {@code scheduled}; {@code slot} is the
 * cron fire time a scheduled backup serves (null for ad hoc ones).
 */
public record BackupRequest(
        ConnectionString source,
        BackupFormat format,
        SqlCompression sqlCompression,
        String label,
        String trigger,
        Instant slot,
        DumpOptions dumpOptions) {

    public static final String ADHOC = "adhoc";
    public static final String SCHEDULED = "scheduled";
}
