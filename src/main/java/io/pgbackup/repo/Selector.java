package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Chooses one backup, shared by restore, verify, download and drill: {@code latest}, an exact
 * stem ({@code 2026/11/27/03-00-00}), a date ({@code 2026-11-27}: the last backup of that UTC day)
 * or a date-time ({@code 2026-11-27T03:00}: the last backup started at or before it, UTC), each
 * optionally narrowed to a label.
 */
public record Selector(String text, Predicate<Manifest> match, Instant notAfter, String label, Instant now) {

    /** {@code clock}: what "now" is when a failed choice names the nearest backups of {@code latest}. */
    public static Selector parse(String text, String label, java.time.Clock clock) {
        Instant now = clock.instant();
        String t = text == null || text.isBlank() ? "latest" : text.strip();
        Predicate<Manifest> any = m -> true;
        Instant notAfter = null;
        if (t.equals("latest")) {
            return new Selector(t, any, null, label, now);
        }
        if (KeyLayout.isRelativeStem(t)) {
            return new Selector(t, m -> m.stem().equals(t), null, label, now);
        }
        try {
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                LocalDate day = LocalDate.parse(t);
                Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
                Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                return new Selector(t, m -> !m.startedAt().isBefore(from) && m.startedAt().isBefore(to), null, label, now);
            }
            if (t.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?Z?")) {
                String s = t.endsWith("Z") ? t.substring(0, t.length() - 1) : t;
                notAfter = LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
                // "At or before 03:00" includes a backup started during the second 03:00:00.
                Instant limit = notAfter.plusSeconds(1);
                return new Selector(t, m -> m.startedAt().isBefore(limit), notAfter, label, now);
            }
        } catch (DateTimeParseException e) {
            // fall through to the usage error
        }
        throw PgBackupException.config("backup selector '" + t + "' is not latest, a stem (2026/11/27/03-00-00), "
                + "a date (2026-11-27) or a date-time (2026-11-27T03:00)");
    }

    /** The newest matching backup among {@code newestFirst}, or NOT_FOUND naming the nearest ones. */
    public Manifest choose(List<Manifest> newestFirst) {
        Optional<Manifest> hit = newestFirst.stream().filter(this::labelled).filter(match).findFirst();
        if (hit.isPresent()) {
            return hit.get();
        }
        if (newestFirst.isEmpty()) {
            throw new PgBackupException(ExitCode.NOT_FOUND, "no backups found in this store and prefix");
        }
        throw new PgBackupException(ExitCode.NOT_FOUND, "no backup matches '" + text + "'"
                + (label != null ? " with label '" + label + "'" : "") + "; nearest: " + nearest(newestFirst));
    }

    private boolean labelled(Manifest m) {
        return label == null || label.equals(m.label());
    }

    private String nearest(List<Manifest> all) {
        Instant ref = notAfter != null ? notAfter : guess();
        return all.stream()
                .sorted(Comparator.comparing((Manifest m) -> Math.abs(m.startedAt().getEpochSecond() - ref.getEpochSecond())))
                .limit(3)
                .map(m -> m.stem() + (m.label() != null ? " [" + m.label() + "]" : ""))
                .collect(Collectors.joining(", "));
    }

    private Instant guess() {
        try {
            if (KeyLayout.isRelativeStem(text)) {
                return KeyLayout.instantOf(text);
            }
            if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(text).atTime(12, 0).toInstant(ZoneOffset.UTC);
            }
        } catch (RuntimeException e) {
            // no reference point: the newest ones are the nearest
        }
        return now;
    }
}
