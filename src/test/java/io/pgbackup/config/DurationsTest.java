package io.pgbackup.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one duration syntax of every setting (moved here from the retention tests with the parser). */
class DurationsTest {
    @Test
    void messagesAreOneLine() {
        assertThatThrownBy(() -> Durations.parse("junk")).message().doesNotContain("\n");
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
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "14", "d", "12h1d", "1d1d", "-1d", "1.5d", "14D", "1y", "14 d", "3mo", "P14D"})
    void rejectsJunkDurations(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid duration '" + text + "': expected a number and unit "
                        + "(w, d, h, m, s, largest first) such as 14d, 36h, 90m, 30s, 2w or 1d12h");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void rejectsMissingDuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid duration '")
                .hasMessageContaining("such as 14d");
    }

    @Test
    void rejectsOverflowingDurations() {
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid duration '99999999999999999999d': too large");
        assertThatThrownBy(() -> Durations.parse("9223372036854775807w"))
                .hasMessageEndingWith("too large");
    }

    @ParameterizedTest
    @CsvSource({"14d, 14d", "36h, 1d12h", "90m, 1h30m", "2w, 14d", "1d12h, 1d12h", "0m, 0m"})
    void formatsDurationsTheWayTheyParse(String text, String formatted) {
        Duration d = Durations.parse(text);
        assertThat(Durations.format(d)).isEqualTo(formatted);
        assertThat(Durations.parse(formatted)).isEqualTo(d);
    }
}
