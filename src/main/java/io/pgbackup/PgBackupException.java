package io.pgbackup;

/**
 * The one exception type that reaches {@code Main}: it carries the exit code and a message meant
 * for the operator (one line, names the cause and, where there is one, the fix). Lower layers
 * throw it, or throw their own exceptions that the service layer translates into it.
 */
public class PgBackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ExitCode exitCode;

    public PgBackupException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public PgBackupException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** A configuration or usage error: exit code 2, raised before any work starts. */
    public static PgBackupException config(String message) {
        return new PgBackupException(ExitCode.USAGE, message);
    }
}
