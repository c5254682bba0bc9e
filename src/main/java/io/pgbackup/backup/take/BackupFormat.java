package io.pgbackup.backup.take;

import io.pgbackup.PgBackupException;
import java.util.Locale;

/** Which artifacts a backup stores; both come from the same single pg_dump run. */
public enum BackupFormat {
    BOTH, CUSTOM, PLAIN;

    public boolean custom() {
        return this != PLAIN;
    }

    public boolean plain() {
        return this != CUSTOM;
    }

    public static BackupFormat parse(String s, String source) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(source + " must be one of both, custom, plain; got '" + s + "'");
        }
    }
}
