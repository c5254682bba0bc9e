package io.pgbackup;

/**
 * The process exit codes. They are part of the interface (scripts and schedulers branch on them):
 * never renumber one, only add. The README's table is generated from the same list by hand; keep
 * both in step.
 */
public enum ExitCode {
    OK(0, "success (also: tick found nothing due)"),
    FAILURE(1, "unexpected internal error"),
    USAGE(2, "invalid command line or configuration; nothing was written"),
    DATABASE(3, "cannot connect to or query the database (unreachable, wrong password, missing database)"),
    VERSION_MISMATCH(4, "no client program here fits the versions: a server newer than every pg_dump, an archive newer than every pg_restore, or a target older than the backup's server"),
    DUMP_FAILED(5, "pg_dump or pg_restore exited with an error or was killed"),
    STORAGE(6, "the object store failed (upload, download, list or delete)"),
    NOT_FOUND(7, "no backup matches the selector"),
    INTEGRITY(8, "a stored object does not match its manifest (size or SHA-256) or is missing"),
    CHECK_FAILED(9, "a restore drill or verification check failed"),
    LOCKED(10, "another run holds the lock on this prefix"),
    RESTORE_FAILED(11, "the restore into the target database failed"),
    DUE(12, "tick --check: a backup is due (nothing was done)"),
    UNHEALTHY(13, "status: the backups are not healthy (a failed check; with --strict, a warning)"),
    KEY_REQUIRED(14, "the backup is encrypted and no identity given (--identity, AGE_IDENTITY) belongs to its recipients"),
    COPY_FAILED(15, "the backup is complete in the first store, but its copy to the second store (COPY_) failed: pgbackup sync completes it"),
    INTERRUPTED(130, "stopped by SIGINT or SIGTERM; in-flight uploads were aborted");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
