package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them: {@code 8MiB}, {@code 16M}, {@code 1GiB}, {@code 5242880}. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    static long parse(Setting s) {
        Matcher m = SIZE.matcher(s.value().strip());
        if (!m.matches()) {
            throw PgBackupException.config(s.source() + " must be a size such as 8MiB or 16M; got '" + s.value() + "'");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return n << shift;
    }
}
