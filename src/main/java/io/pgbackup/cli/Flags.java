package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import java.util.Locale;

/** Parsing of simple setting values, each error naming the setting. */
final class Flags {
    private Flags() {}

    static boolean bool(Setting s) {
        return switch (s.value() == null ? "true" : s.value().strip().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw PgBackupException.config(s.source() + " must be true or false; got '" + s.value() + "'");
        };
    }

    static int positiveInt(Setting s) {
        try {
            int n = Integer.parseInt(s.value().strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw PgBackupException.config(s.source() + " must be a positive whole number; got '" + s.value() + "'");
    }

    static int intInRange(Setting s, int min, int max) {
        try {
            int n = Integer.parseInt(s.value().strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw PgBackupException.config(s.source() + " must be a whole number from " + min + " to " + max + "; got '"
                + s.value() + "'");
    }

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
