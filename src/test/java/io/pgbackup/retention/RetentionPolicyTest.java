package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionPolicyTest {

    private static final ZoneId UTC = ZoneId.of("UTC");

    /** Policy with one count set by flag name, everything else off; min-keep 1. */
    private static RetentionPolicy withCount(String flag, int n) {
        return new RetentionPolicy(
                flag.equals("--keep-last") ? n : 0,
                null,
                flag.equals("--keep-hourly") ? n : 0,
                flag.equals("--keep-daily") ? n : 0,
                flag.equals("--keep-weekly") ? n : 0,
                flag.equals("--keep-monthly") ? n : 0,
                flag.equals("--keep-yearly") ? n : 0,
                1, false, UTC);
    }

    private static RetentionPolicy within(Duration d, int minKeep) {
        return new RetentionPolicy(0, d, 0, 0, 0, 0, 0, minKeep, false, UTC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--keep-last", "--keep-hourly", "--keep-daily", "--keep-weekly",
            "--keep-monthly", "--keep-yearly"})
    void eachCountAloneIsAValidPolicy(String flag) {
        assertThatCode(() -> withCount(flag, 1).validate()).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--keep-last", "--keep-hourly", "--keep-daily", "--keep-weekly",
            "--keep-monthly", "--keep-yearly"})
    void negativeCountNamesTheFlag(String flag) {
        assertThatThrownBy(() -> withCount(flag, -1).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(flag + " must be >= 0, got -1");
    }

    @Test
    void keepWithinAloneIsAValidPolicy() {
        assertThatCode(() -> within(Duration.ofDays(14), 1).validate()).doesNotThrowAnyException();
    }

    @Test
    void negativeKeepWithin() {
        assertThatThrownBy(() -> within(Duration.ofHours(-36), 1).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--keep-within must be >= 0, got -1d12h");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -3})
    void minKeepBelowOne(int minKeep) {
        assertThatThrownBy(() -> within(Duration.ofDays(1), minKeep).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--min-keep must be at least 1, got " + minKeep);
    }

    @Test
    void noRuleAtAll() {
        String expected = "no retention rule given: set at least one of --keep-last, --keep-within, "
                + "--keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly";
        assertThatThrownBy(() -> within(null, 1).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected);
        // A zero keep-within is "off", not a rule: it would keep nothing but min-keep.
        assertThatThrownBy(() -> within(Duration.ZERO, 3).validate()).hasMessage(expected);
    }

    @Test
    void missingZone() {
        RetentionPolicy p = new RetentionPolicy(3, null, 0, 0, 0, 0, 0, 1, false, null);
        assertThatThrownBy(p::validate)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("time zone");
    }

    @Test
    void messagesAreOneLine() {
        assertThatThrownBy(() -> within(null, 1).validate()).message().doesNotContain("\n");
        assertThatThrownBy(() -> RetentionPolicy.parseDuration("junk")).message().doesNotContain("\n");
    }

    @ParameterizedTest
    @CsvSource({
            "14d,    PT336H",
            "36h,    PT36H",
            "90m,    PT1H30M",
            "2w,     PT336H",
            "1d12h,  PT36H",
            "1w2d3h4m, PT219H4M",
            "' 3d ', PT72H",
            "0d,     PT0S",
            "30s,    PT30S",
            "1m30s,  PT1M30S",
    })
    void parsesResticLikeDurations(String text, String iso) {
        assertThat(RetentionPolicy.parseDuration(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "14", "d", "12h1d", "1d1d", "-1d", "1.5d", "14D", "1y", "14 d", "3mo", "P14D"})
    void rejectsJunkDurations(String text) {
        assertThatThrownBy(() -> RetentionPolicy.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid duration '" + text + "': expected a number and unit "
                        + "(w, d, h, m, s, largest first) such as 14d, 36h, 90m, 30s, 2w or 1d12h");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void rejectsMissingDuration(String text) {
        assertThatThrownBy(() -> RetentionPolicy.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid duration '")
                .hasMessageContaining("such as 14d");
    }

    @Test
    void rejectsOverflowingDurations() {
        assertThatThrownBy(() -> RetentionPolicy.parseDuration("99999999999999999999d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid duration '99999999999999999999d': too large");
        assertThatThrownBy(() -> RetentionPolicy.parseDuration("9223372036854775807w"))
                .hasMessageEndingWith("too large");
    }

    @ParameterizedTest
    @CsvSource({"14d, 14d", "36h, 1d12h", "90m, 1h30m", "2w, 14d", "1d12h, 1d12h", "0m, 0m"})
    void formatsDurationsTheWayTheyParse(String text, String formatted) {
        Duration d = RetentionPolicy.parseDuration(text);
        assertThat(RetentionPolicy.formatDuration(d)).isEqualTo(formatted);
        assertThat(RetentionPolicy.parseDuration(formatted)).isEqualTo(d);
    }
}
