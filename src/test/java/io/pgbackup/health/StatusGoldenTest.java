package io.pgbackup.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every {@code src/test/resources/status/*.json} case: the whole status (each check's verdict and line). */
class StatusGoldenTest {
    static List<Path> cases() {
        return StatusGoldenCase.files();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGoldenFile(Path file) {
        StatusGoldenCase c = StatusGoldenCase.load(file);
        assertThat(c.actual()).as("%s: %s", c.name(), c.description()).isEqualTo(c.expected());
    }

    @Test
    void thereAreEnoughCases() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(9);
    }
}
