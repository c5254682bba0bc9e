package io.pgbackup.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TickPlannerTest {
    private static final CronSchedule DAILY_3AM = CronSchedule.parse("0 3 * * *", ZoneOffset.UTC);
    private static final Duration LOOKBACK = Duration.ofHours(25);

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    private static TickDecision decide(CronSchedule s, Instant lastServed, Instant now) {
        return TickPlanner.decide(s, Optional.ofNullable(lastServed), now, LOOKBACK);
    }

    /** Wakes every {@code step} from {@code first} (inclusive) to {@code end} (exclusive), feeding back served slots. */
    private static List<Instant> servedWhileTicking(CronSchedule s, Instant lastServed, Instant first, Instant end,
            Duration step) {
        List<Instant> served = new ArrayList<>();
        Optional<Instant> last = Optional.ofNullable(lastServed);
        for (Instant now = first; now.isBefore(end); now = now.plus(step)) {
            TickDecision d = TickPlanner.decide(s, last, now, LOOKBACK);
            assertThat(d.missedSlots()).as("missed at %s", now).isEmpty();
            if (d.isDue()) {
                served.add(d.dueSlot().orElseThrow());
                last = d.dueSlot();
            }
        }
        return served;
    }

    @Test
    void hourlyWakeUpsAcrossADayServeTheSlotExactlyOnce() {
        Optional<Instant> last = Optional.of(at("2026-05-04T03:00:00Z"));
        List<Instant> dueAt = new ArrayList<>();
        for (int hour = 0; hour < 24; hour++) {
            Instant now = at("2026-05-05T00:07:00Z").plus(Duration.ofHours(hour));
            TickDecision d = TickPlanner.decide(DAILY_3AM, last, now, LOOKBACK);
            assertThat(d.missedSlots()).isEmpty();
            assertThat(d.nextSlot()).contains(hour < 3 ? at("2026-05-05T03:00:00Z") : at("2026-05-06T03:00:00Z"));
            if (d.isDue()) {
                assertThat(d.dueSlot()).contains(at("2026-05-05T03:00:00Z"));
                dueAt.add(now);
                last = d.dueSlot();
            }
        }
        assertThat(dueAt).containsExactly(at("2026-05-05T03:07:00Z"));
        assertThat(last).contains(at("2026-05-05T03:00:00Z"));
    }

    @Test
    void wakingExactlyAtTheSlotCounts() {
        TickDecision d = decide(DAILY_3AM, at("2026-05-04T03:00:00Z"), at("2026-05-05T03:00:00Z"));
        assertThat(d.dueSlot()).contains(at("2026-05-05T03:00:00Z"));
        assertThat(d.nextSlot()).contains(at("2026-05-06T03:00:00Z"));

        TickDecision early = decide(DAILY_3AM, at("2026-05-04T03:00:00Z"), at("2026-05-05T02:59:59.999Z"));
        assertThat(early.isDue()).isFalse();
        assertThat(early.nextSlot()).contains(at("2026-05-05T03:00:00Z"));
    }

    @Test
    void anAlreadyServedSlotIsNotDueAgain() {
        TickDecision d = decide(DAILY_3AM, at("2026-05-05T03:00:00Z"), at("2026-05-05T23:59:00Z"));
        assertThat(d).isEqualTo(new TickDecision(Optional.empty(), List.of(), Optional.of(at("2026-05-06T03:00:00Z"))));
    }

    @Test
    void afterThreeDaysDownOnlyTheLatestSlotIsDueAndTheRestAreReported() {
        TickDecision d = decide(DAILY_3AM, at("2026-05-01T03:00:00Z"), at("2026-05-05T10:00:00Z"));
        assertThat(d.dueSlot()).contains(at("2026-05-05T03:00:00Z"));
        assertThat(d.missedSlots()).containsExactly(
                at("2026-05-02T03:00:00Z"), at("2026-05-03T03:00:00Z"), at("2026-05-04T03:00:00Z"));
        assertThat(d.nextSlot()).contains(at("2026-05-06T03:00:00Z"));
    }

    @Test
    void missedSlotsAreCapped() {
        CronSchedule everyMinute = CronSchedule.parse("* * * * *", ZoneOffset.UTC);
        TickDecision d = decide(everyMinute, at("2026-05-04T10:00:00Z"), at("2026-05-05T10:00:30Z"));
        assertThat(d.dueSlot()).contains(at("2026-05-05T10:00:00Z"));
        assertThat(d.missedSlots()).hasSize(TickPlanner.MAX_REPORTED_MISSED)
                .startsWith(at("2026-05-04T10:01:00Z"), at("2026-05-04T10:02:00Z"))
                .endsWith(at("2026-05-04T11:40:00Z"));
        assertThat(d.nextSlot()).contains(at("2026-05-05T10:01:00Z"));
    }

    @Test
    void firstEverWakeUpRunsTheLatestSlotOnlyWithinLookback() {
        Instant now = at("2026-05-05T14:00:00Z");
        TickDecision withinDay = TickPlanner.decide(DAILY_3AM, Optional.empty(), now, Duration.ofHours(25));
        assertThat(withinDay.dueSlot()).contains(at("2026-05-05T03:00:00Z"));
        assertThat(withinDay.missedSlots()).isEmpty();
        assertThat(withinDay.nextSlot()).contains(at("2026-05-06T03:00:00Z"));

        assertThat(TickPlanner.decide(DAILY_3AM, Optional.empty(), now, Duration.ofHours(11)).dueSlot())
                .as("lookback boundary is inclusive").contains(at("2026-05-05T03:00:00Z"));
        TickDecision tooOld = TickPlanner.decide(DAILY_3AM, Optional.empty(), now, Duration.ofHours(6));
        assertThat(tooOld.isDue()).isFalse();
        assertThat(tooOld.missedSlots()).isEmpty();
        assertThat(tooOld.nextSlot()).contains(at("2026-05-06T03:00:00Z"));
        assertThat(TickPlanner.decide(DAILY_3AM, Optional.empty(), now, Duration.ZERO).isDue()).isFalse();
    }

    @Test
    void berlinDailyScheduleIsServedOnceOnEachDstDay() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", ZoneId.of("Europe/Berlin"));
        Duration quarterHour = Duration.ofMinutes(15);
        assertThat(servedWhileTicking(s, at("2026-03-28T01:30:00Z"), at("2026-03-28T12:00:00Z"),
                at("2026-03-29T12:00:00Z"), quarterHour)).containsExactly(at("2026-03-29T01:00:00Z"));
        assertThat(servedWhileTicking(s, at("2026-10-24T00:30:00Z"), at("2026-10-24T12:00:00Z"),
                at("2026-10-25T12:00:00Z"), quarterHour)).containsExactly(at("2026-10-25T00:30:00Z"));
    }

    @Test
    void hourlyTicksOverAWeekServeEveryDailySlot() {
        List<Instant> served = servedWhileTicking(DAILY_3AM, at("2026-05-04T03:00:00Z"),
                at("2026-05-04T03:59:00Z"), at("2026-05-11T04:00:00Z"), Duration.ofHours(1));
        assertThat(served).hasSize(7).startsWith(at("2026-05-05T03:00:00Z")).endsWith(at("2026-05-11T03:00:00Z"));
    }

    @Test
    void rejectsNegativeLookback() {
        assertThatThrownBy(() -> TickPlanner.decide(DAILY_3AM, Optional.empty(), at("2026-05-05T14:00:00Z"),
                Duration.ofHours(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decisionCopiesMissedSlots() {
        List<Instant> missed = new ArrayList<>(List.of(at("2026-05-05T03:00:00Z")));
        TickDecision d = new TickDecision(Optional.empty(), missed, Optional.empty());
        missed.clear();
        assertThat(d.missedSlots()).containsExactly(at("2026-05-05T03:00:00Z"));
    }
}
