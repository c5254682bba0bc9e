package io.pgbackup.jobs;

import io.pgbackup.backup.take.BackupRequest;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.repo.RunLock;
import io.pgbackup.repo.Catalog;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.schedule.CronSchedule;
import io.pgbackup.schedule.TickDecision;
import io.pgbackup.schedule.TickPlanner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One wake-up of a coarse platform schedule (Fly's hourly machines): decide from the store alone
 * whether a slot of the cron schedule came due since the last scheduled backup, and if so back up
 * once for the latest due slot. Scheduled manifests record the slot they served; the fast path
 * lists only the days from the due slot to now and reads at most the manifests started since.
 * The prefix lock plus a re-check under it make two ticks (or a restarted one) serve a slot once.
 */
public record TickService(Catalog catalog, Clock clock) {
    private static final Logger log = LoggerFactory.getLogger(TickService.class);
    /**
     * With no scheduled backup in the store yet, the latest slot is served only if it is this
     * recent: a slot belongs to the first wake-up after it, and hourly wake-ups come within about
     * an hour. A fresh deployment therefore starts at the next slot, as cron would.
     */
    static final Duration FIRST_RUN_LOOKBACK = Duration.ofHours(2);

    /** The outcome: whether a backup ran, for which slot, what was missed, when the next is due. */
    public record Result(Optional<Manifest> backup, Optional<Instant> slot, List<Instant> missed, Optional<Instant> next) {}

    /** What is due now, without taking any lock. */
    public TickDecision decide(CronSchedule schedule) {
        Instant now = clock.instant();
        Optional<Instant> latest = schedule.lastAtOrBefore(now).map(ZonedDateTime::toInstant);
        if (latest.isEmpty()) {
            return new TickDecision(Optional.empty(), List.of(), schedule.nextAfter(now).map(ZonedDateTime::toInstant));
        }
        Optional<Instant> served = latest.flatMap(this::servedSince);
        if (served.isPresent() && !served.get().isBefore(latest.get())) {
            return new TickDecision(Optional.empty(), List.of(), schedule.nextAfter(now).map(ZonedDateTime::toInstant));
        }
        // Slow path, taken only when a backup is due anyway: find the last served slot anywhere.
        Optional<Instant> lastServed = served.isPresent() ? served : newestServed(catalog.all());
        return TickPlanner.decide(schedule, lastServed, now, FIRST_RUN_LOOKBACK);
    }

    /** Runs the tick: {@code backup} is called with the slot while the lock is held. */
    public Result tick(CronSchedule schedule, BiFunction<Instant, RunLock, Manifest> backup, LockPolicy lock,
            Cancellation c) {
        TickDecision d = decide(schedule);
        if (!d.isDue()) {
            return new Result(Optional.empty(), Optional.empty(), List.of(), d.nextSlot());
        }
        Instant slot = d.dueSlot().orElseThrow();
        if (!d.missedSlots().isEmpty()) {
            log.warn("{} earlier slot(s) were missed (not replayed), the oldest {}", d.missedSlots().size(),
                    d.missedSlots().get(0));
        }
        try (PrefixLock held = lock.acquire(catalog.store(), catalog.layout(), "tick " + slot, clock, c)) {
            // Another tick may have served the slot while we waited for the lock.
            Optional<Instant> served = servedSince(slot);
            if (served.isPresent() && !served.get().isBefore(slot)) {
                log.info("slot {} was served by another run meanwhile", slot);
                return new Result(Optional.empty(), Optional.empty(), d.missedSlots(), d.nextSlot());
            }
            return new Result(Optional.of(backup.apply(slot, held)), Optional.of(slot), d.missedSlots(), d.nextSlot());
        }
    }

    /** The newest slot served by a scheduled backup started at or after {@code since}. */
    Optional<Instant> servedSince(Instant since) {
        List<Manifest> found = new ArrayList<>();
        for (String prefix : prefixes(since, clock.instant())) {
            // Stems carry their start second: skip reading manifests of backups started before the slot.
            Instant sinceSecond = since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            for (Manifest m : catalog.under(prefix, stem -> !KeyLayout.instantOf(stem).isBefore(sinceSecond))) {
                if (!m.startedAt().isBefore(since)) {
                    found.add(m);
                }
            }
        }
        return newestServed(found);
    }

    private static Optional<Instant> newestServed(List<Manifest> manifests) {
        return manifests.stream().filter(m -> BackupRequest.Trigger.SCHEDULED.label().equals(m.trigger()) && m.slot() != null)
                .map(Manifest::slot).max(Comparator.naturalOrder());
    }

    /** UTC day prefixes from {@code from} to {@code to}; month prefixes when that is fewer requests. */
    static List<String> prefixes(Instant from, Instant to) {
        LocalDate a = from.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate b = to.atZone(ZoneOffset.UTC).toLocalDate();
        List<String> out = new ArrayList<>();
        if (!a.plusDays(3).isBefore(b)) {
            for (LocalDate d = a; !d.isAfter(b); d = d.plusDays(1)) {
                out.add(KeyLayout.dayPrefix(d.atStartOfDay(ZoneOffset.UTC).toInstant()));
            }
            return out;
        }
        for (LocalDate d = a.withDayOfMonth(1); !d.isAfter(b); d = d.plusMonths(1)) {
            out.add(KeyLayout.dayPrefix(d.atStartOfDay(ZoneOffset.UTC).toInstant()).substring(0, 8));
        }
        return out;
    }
}
