package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every {@code src/test/resources/retention/*.json} case through the planner and compares
 * the whole decision list (stem, keep, reasons, order) with the file's {@code expected}.
 */
class RetentionPlannerGoldenTest {

    static List<Path> cases() {
        return GoldenCase.files();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGoldenFile(Path file) {
        GoldenCase c = GoldenCase.load(file);

        assertThat(c.actual())
                .as("%s: %s", c.name(), c.description())
                .containsExactlyElementsOf(c.expected());
    }

    @Test
    void thereAreEnoughCases() {
        // Guards against a broken resource path silently running zero parameterized cases.
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(8);
    }
}
