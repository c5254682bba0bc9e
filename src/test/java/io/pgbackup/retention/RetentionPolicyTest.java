package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    }
}
