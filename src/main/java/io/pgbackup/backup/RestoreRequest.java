package io.pgbackup.backup;

import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import java.nio.file.Path;

/**
 * One restore. {@code format} is {@code custom} (pg_restore) or {@code plain} (psql);
 * {@code jobs} &gt; 1 downloads the archive to {@code tempDir} first for {@code pg_restore -j};
 * {@code createDatabase} creates that database on the target server and restores into it;
 * {@code source} is the configured source database (may be null), protected unless {@code force}.
 */
public record RestoreRequest(
        Manifest manifest,
        ConnectionString target,
        ConnectionString source,
        String format,
        int jobs,
        boolean clean,
        boolean noOwner,
        boolean noPrivileges,
        boolean singleTransaction,
        String createDatabase,
        boolean force,
        Path tempDir) {}
