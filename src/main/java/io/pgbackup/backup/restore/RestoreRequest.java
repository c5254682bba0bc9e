package io.pgbackup.backup.restore;

import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import java.nio.file.Path;

/**
 * One restore. {@code format} is {@code custom} (pg_restore) or {@code plain} (psql);
 * {@code jobs} &gt; 1 downloads the archive to {@code tempDir} first for {@code pg_restore -j};
 * {@code createDatabase} creates that database on the target server and restores into it;
 * {@code source} is the configured source database (may be null), protected unless {@code force};
 * {@code createFromArchive}: {@code target} is a server's maintenance database and pg_restore
 * creates the archive's own database there ({@code --create}: name, owner, settings, grants and
 * comments as dumped), which must not exist yet (a whole-server restore).
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
        Path tempDir,
        boolean createFromArchive) {

    public RestoreRequest(Manifest manifest, ConnectionString target, ConnectionString source, String format, int jobs,
            boolean clean, boolean noOwner, boolean noPrivileges, boolean singleTransaction, String createDatabase,
            boolean force, Path tempDir) {
        this(manifest, target, source, format, jobs, clean, noOwner, noPrivileges, singleTransaction, createDatabase, force,
                tempDir, false);
    }
}
