package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** The --since/--until values of list and verify: a UTC date or date-time. */
final class Dates {
    private Dates() {}

    static Instant instant(String s, String flag, boolean endOfDay) {
        try {
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
                LocalDate d = LocalDate.parse(s);
                return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            String t = s.endsWith("Z") ? s.substring(0, s.length() - 1) : s;
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            throw PgBackupException.config(flag + " must be a date (2026-11-27) or a date-time (2026-11-27T03:00); got '"
                    + s + "'");
        }
    }
}
