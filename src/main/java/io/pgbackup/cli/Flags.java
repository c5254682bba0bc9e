package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;

/** Parsing of the command line's own values, each error naming the setting. */
final class Flags {
    private Flags() {}

    /** Labels end up in manifests and listings: printable, one line, bounded. */
    static String label(Setting s) {
        String v = s.value().strip();
        if (v.length() > 100 || !v.matches("[\\p{L}\\p{N} ._:@+\\-/]+")) {
            throw PgBackupException.config(s.source() + " must be 1-100 letters, digits, spaces or ._:@+-/; got '"
                    + v + "'");
        }
        return v;
    }
}
