package io.pgbackup.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static CronSchedule utc(String expression) {
        return CronSchedule.parse(expression, ZoneOffset.UTC);
    }

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    private static List<Instant> instants(List<ZonedDateTime> times) {
        return times.stream().map(ZonedDateTime::toInstant).toList();
    }

    private static Optional<Instant> instant(Optional<ZonedDateTime> time) {
        return time.map(ZonedDateTime::toInstant);
    }

    // --- DST, Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET

    @Test
    void rawCronUtilsSkipsTheSpringForwardDayAndSeesFallBackTwice() {
        // Pins what cron-utils 9.2.1 does by itself, i.e. why CronSchedule does not use it with zones.
        ExecutionTime raw = ExecutionTime.forCron(new CronParser(
                CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse("30 2 * * *"));
        ZonedDateTime mar28 = raw.nextExecution(ZonedDateTime.parse("2026-03-27T12:00+01:00[Europe/Berlin]")).orElseThrow();
        assertThat(mar28).isEqualTo(ZonedDateTime.parse("2026-03-28T02:30+01:00[Europe/Berlin]"));
        assertThat(raw.nextExecution(mar28)).contains(ZonedDateTime.parse("2026-03-30T02:30+02:00[Europe/Berlin]"));

        ZonedDateTime oct26 = ZonedDateTime.parse("2026-10-26T02:30+01:00[Europe/Berlin]");
        ZonedDateTime secondPass = raw.lastExecution(oct26).orElseThrow();
        assertThat(secondPass.toInstant()).isEqualTo(at("2026-10-25T01:30:00Z"));
        assertThat(raw.lastExecution(secondPass).map(ZonedDateTime::toInstant)).contains(at("2026-10-25T00:30:00Z"));
        // ...while stepping forward from the first 02:30 skips the second one.
        assertThat(raw.nextExecution(ZonedDateTime.parse("2026-10-25T02:30+02:00[Europe/Berlin]")))
                .contains(oct26);
    }

    @Test
    void springForwardFiresASkippedFixedTimeOnceAtTheTransition() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", BERLIN);
        assertThat(s.next(at("2026-03-27T12:00:00Z"), 3)).containsExactly(
                ZonedDateTime.parse("2026-03-28T02:30+01:00[Europe/Berlin]"),
                ZonedDateTime.parse("2026-03-29T03:00+02:00[Europe/Berlin]"),
                ZonedDateTime.parse("2026-03-30T02:30+02:00[Europe/Berlin]"));
        assertThat(instant(s.lastAtOrBefore(at("2026-03-29T12:00:00Z")))).contains(at("2026-03-29T01:00:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-03-29T01:00:00Z")))).contains(at("2026-03-29T01:00:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-03-29T00:59:59Z")))).contains(at("2026-03-28T01:30:00Z"));
    }

    @Test
    void springForwardDoesNotDuplicateWhenTheTransitionInstantAlsoFires() {
        // 02:00 is skipped and moves to 03:00 CEST, which is a fire time anyway: one run.
        assertThat(instants(CronSchedule.parse("0 2,3 * * *", BERLIN).next(at("2026-03-28T23:00:00Z"), 2)))
                .containsExactly(at("2026-03-29T01:00:00Z"), at("2026-03-30T00:00:00Z"));
        // 02:30 moves to 03:00 CEST and 03:30 CEST still fires: two distinct runs.
        assertThat(instants(CronSchedule.parse("30 2,3 * * *", BERLIN).next(at("2026-03-28T23:00:00Z"), 3)))
                .containsExactly(at("2026-03-29T01:00:00Z"), at("2026-03-29T01:30:00Z"), at("2026-03-30T00:30:00Z"));
    }

    @Test
    void fallBackFiresARepeatedFixedTimeOnlyOnce() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", BERLIN);
        assertThat(s.next(at("2026-10-24T12:00:00Z"), 2)).containsExactly(
                ZonedDateTime.parse("2026-10-25T02:30+02:00[Europe/Berlin]"),
                ZonedDateTime.parse("2026-10-26T02:30+01:00[Europe/Berlin]"));
        // During and after the second pass of 02:xx the latest fire time is still the first 02:30.
        assertThat(instant(s.lastAtOrBefore(at("2026-10-25T01:30:00Z")))).contains(at("2026-10-25T00:30:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-10-25T03:00:00Z")))).contains(at("2026-10-25T00:30:00Z"));
        assertThat(instant(s.nextAfter(at("2026-10-25T01:10:00Z")))).contains(at("2026-10-26T01:30:00Z"));
    }

    @Test
    void intervalSchedulesFollowTheLocalClockThroughTransitions() {
        CronSchedule hourly = CronSchedule.parse("0 * * * *", BERLIN);
        // Spring: there is no 02:00 local, one hour of real time between 01:00 CET and 03:00 CEST.
        assertThat(instants(hourly.next(at("2026-03-28T23:30:00Z"), 3)))
                .containsExactly(at("2026-03-29T00:00:00Z"), at("2026-03-29T01:00:00Z"), at("2026-03-29T02:00:00Z"));
        // Fall: 02:00 CEST and 02:00 CET both fire, still one hour apart.
        assertThat(hourly.next(at("2026-10-24T22:30:00Z"), 4)).containsExactly(
                ZonedDateTime.parse("2026-10-25T01:00+02:00[Europe/Berlin]"),
                ZonedDateTime.parse("2026-10-25T02:00+02:00[Europe/Berlin]"),
                ZonedDateTime.parse("2026-10-25T02:00+01:00[Europe/Berlin]"),
                ZonedDateTime.parse("2026-10-25T03:00+01:00[Europe/Berlin]"));
        assertThat(instant(hourly.lastAtOrBefore(at("2026-10-25T01:30:00Z")))).contains(at("2026-10-25T01:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"30 2 * * *", "0 2,3 * * *", "0 * * * *", "*/15 * * * *", "15 1-4 * * *", "0 30 2 * * *"})
    void forwardAndBackwardWalksAgreeAroundBerlinTransitions(String expression) {
        CronSchedule s = CronSchedule.parse(expression, BERLIN);
        for (String from : List.of("2026-03-28T12:00:00Z", "2026-10-24T12:00:00Z")) {
            List<ZonedDateTime> fires = s.next(at(from), 40);
            assertThat(fires).hasSize(40);
            Instant previous = s.lastAtOrBefore(at(from)).orElseThrow().toInstant();
            for (ZonedDateTime fire : fires) {
                Instant t = fire.toInstant();
                assertThat(t).isAfter(previous);
                assertThat(instant(s.lastAtOrBefore(t))).contains(t);
                assertThat(instant(s.lastAtOrBefore(t.minusNanos(1)))).contains(previous);
                assertThat(instant(s.nextAfter(previous))).contains(t);
                previous = t;
            }
        }
    }

    @Test
    void nonUtcZoneFollowsItsOwnOffsets() {
        CronSchedule s = CronSchedule.parse("0 3 * * *", NEW_YORK);
        assertThat(s.nextAfter(at("2026-01-15T00:00:00Z")))
                .contains(ZonedDateTime.parse("2026-01-15T03:00-05:00[America/New_York]"));
        assertThat(instant(s.nextAfter(at("2026-07-15T00:00:00Z")))).contains(at("2026-07-15T07:00:00Z"));
        assertThat(s.zone()).isEqualTo(NEW_YORK);
        // US spring forward 2026-03-08 02:00 EST -> 03:00 EDT: 02:30 runs at 03:00 EDT.
        assertThat(CronSchedule.parse("30 2 * * *", NEW_YORK).nextAfter(at("2026-03-08T05:00:00Z")))
                .contains(ZonedDateTime.parse("2026-03-08T03:00-04:00[America/New_York]"));
    }

    // --- calendar edge cases (UTC)

    @Test
    void day31SkipsShortMonths() {
        assertThat(instants(utc("0 0 31 * *").next(at("2026-03-01T00:00:00Z"), 4))).containsExactly(
                at("2026-03-31T00:00:00Z"), at("2026-05-31T00:00:00Z"), at("2026-07-31T00:00:00Z"),
                at("2026-08-31T00:00:00Z"));
    }

    @Test
    void lastDayOfMonthIsNotUnixSyntax() {
        assertThatThrownBy(() -> utc("0 0 L * *")).isInstanceOf(InvalidScheduleException.class)
                .hasMessageContaining("'0 0 L * *'").hasMessageContaining("L");
    }

    @Test
    void leapDayWaitsForTheNextLeapYear() {
        CronSchedule s = utc("0 12 29 2 *");
        assertThat(instant(s.nextAfter(at("2026-03-01T00:00:00Z")))).contains(at("2028-02-29T12:00:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-03-01T00:00:00Z")))).contains(at("2024-02-29T12:00:00Z"));
    }

    @Test
    void yearBoundary() {
        CronSchedule s = utc("59 23 31 12 *");
        assertThat(instant(s.nextAfter(at("2026-12-31T23:59:30Z")))).contains(at("2027-12-31T23:59:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-12-31T23:59:30Z")))).contains(at("2026-12-31T23:59:00Z"));
        assertThat(instant(s.nextAfter(at("2026-12-31T23:58:59Z")))).contains(at("2026-12-31T23:59:00Z"));
    }

    @Test
    void aScheduleThatNeverFiresIsRefusedWhenParsed() {
        for (ZoneId zone : List.of(ZoneOffset.UTC, BERLIN)) {
            for (String never : List.of("0 0 30 2 *", "0 0 31 4 *", "0 0 0 31 11 *")) {
                assertThatThrownBy(() -> CronSchedule.parse(never, zone)).as(never)
                        .isInstanceOf(InvalidScheduleException.class).hasMessageContaining("never fires");
            }
        }
        // a leap day fires every four years: rare, but a schedule
        CronSchedule leap = CronSchedule.parse("0 0 29 2 *", ZoneOffset.UTC);
        assertThat(instant(leap.nextAfter(at("2026-01-01T00:00:00Z")))).contains(at("2028-02-29T00:00:00Z"));
    }

    @Test
    void everyFifteenMinutes() {
        CronSchedule s = utc("*/15 * * * *");
        assertThat(instants(s.next(at("2026-05-05T10:07:12Z"), 4))).containsExactly(at("2026-05-05T10:15:00Z"),
                at("2026-05-05T10:30:00Z"), at("2026-05-05T10:45:00Z"), at("2026-05-05T11:00:00Z"));
        assertThat(instant(s.nextAfter(at("2026-05-05T10:15:00Z")))).contains(at("2026-05-05T10:30:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-05-05T10:15:00Z")))).contains(at("2026-05-05T10:15:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-05-05T10:14:59.999Z")))).contains(at("2026-05-05T10:00:00Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-05-05T10:15:30Z")))).contains(at("2026-05-05T10:15:00Z"));
    }

    @Test
    void weekdaysEverySixHours() {
        // 2026-05-08 is a Friday; the weekend is skipped.
        assertThat(instants(utc("0 */6 * * 1-5").next(at("2026-05-08T19:00:00Z"), 5))).containsExactly(
                at("2026-05-11T00:00:00Z"), at("2026-05-11T06:00:00Z"), at("2026-05-11T12:00:00Z"),
                at("2026-05-11T18:00:00Z"), at("2026-05-12T00:00:00Z"));
    }

    @Test
    void macros() {
        Instant t = at("2026-05-06T10:07:00Z"); // a Wednesday
        assertThat(instant(utc("@hourly").nextAfter(t))).contains(at("2026-05-06T11:00:00Z"));
        assertThat(instant(utc("@daily").nextAfter(t))).contains(at("2026-05-07T00:00:00Z"));
        assertThat(instant(utc("@midnight").nextAfter(t))).contains(at("2026-05-07T00:00:00Z"));
        assertThat(instant(utc("@weekly").nextAfter(t))).contains(at("2026-05-10T00:00:00Z"));
        assertThat(instant(utc("@monthly").nextAfter(t))).contains(at("2026-06-01T00:00:00Z"));
        assertThat(instant(utc("@yearly").nextAfter(t))).contains(at("2027-01-01T00:00:00Z"));
        assertThat(instant(utc("@annually").nextAfter(t))).contains(at("2027-01-01T00:00:00Z"));
        assertThat(utc(" @daily ").expression()).isEqualTo("@daily");
        assertThat(utc("@daily").hasSeconds()).isFalse();
    }

    @Test
    void sixFieldsWithSeconds() {
        CronSchedule s = utc("*/10 * * * * *");
        assertThat(s.hasSeconds()).isTrue();
        assertThat(instants(s.next(at("2026-05-05T10:00:05Z"), 3))).containsExactly(
                at("2026-05-05T10:00:10Z"), at("2026-05-05T10:00:20Z"), at("2026-05-05T10:00:30Z"));
        assertThat(instant(s.lastAtOrBefore(at("2026-05-05T10:00:25.5Z")))).contains(at("2026-05-05T10:00:20Z"));
        // The seconds field does not shift which fields count as minute and hour for DST.
        assertThat(instant(CronSchedule.parse("0 30 2 * * *", BERLIN).nextAfter(at("2026-03-28T12:00:00Z"))))
                .contains(at("2026-03-29T01:00:00Z"));
    }

    @Test
    void trimsAndReportsTheExpression() {
        CronSchedule s = CronSchedule.parse("  0 3 * * *\t\n", NEW_YORK);
        assertThat(s.expression()).isEqualTo("0 3 * * *");
        assertThat(s.hasSeconds()).isFalse();
        assertThat(s).hasToString("CronSchedule[0 3 * * * in America/New_York]");
    }

    @Test
    void nextRejectsNegativeCountAndAllowsZero() {
        assertThat(utc("@hourly").next(at("2026-05-05T10:00:00Z"), 0)).isEmpty();
        assertThatThrownBy(() -> utc("@hourly").next(at("2026-05-05T10:00:00Z"), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"61 * * * *", "* * *", "bogus", "", "   ", "0 0 L * *", "60 * * * * *",
        "* * * * * * *", "@reboot", "0 24 * * *", "0 0 * 13 *", "a b c d e"})
    void invalidExpressionsGiveOneLineMessageWithExample(String expression) {
        assertThatThrownBy(() -> utc(expression))
                .isInstanceOf(InvalidScheduleException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid cron expression '" + expression.trim() + "': ")
                .hasMessageEndingWith("; example of a valid one: '0 3 * * *' (03:00 every day)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r"));
    }

    @Test
    void invalidMessagesCarryTheReason() {
        assertThatThrownBy(() -> utc("61 * * * *"))
                .hasMessage("invalid cron expression '61 * * * *': Failed to parse cron expression. "
                        + "Value 61 not in range [0, 59]; example of a valid one: '0 3 * * *' (03:00 every day)");
        assertThatThrownBy(() -> utc("* * *")).hasMessageContaining("got 3");
        assertThatThrownBy(() -> utc("bogus")).hasMessageContaining("got 1");
        assertThatThrownBy(() -> utc("")).hasMessageContaining("': Empty expression");
    }
}
