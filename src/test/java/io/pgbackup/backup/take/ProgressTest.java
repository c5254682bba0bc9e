package io.pgbackup.backup.take;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The progress line: bytes, rate, elapsed, and a capped percentage against the database size. */
class ProgressTest {
    @Test
    void reportsBytesRateElapsedAndPercentOfTheDatabase() {
        try (Progress p = new Progress(400L * 1024 * 1024, Duration.ofHours(1))) {
            p.archiveBytes.set(100L * 1024 * 1024);
            p.sqlBytes.set(200L * 1024 * 1024);
            assertThat(p.line(Duration.ofSeconds(10)))
                    .isEqualTo("dumped 100.0 MiB archive, 200.0 MiB SQL (~50% of 400.0 MiB), 10.0 MiB/s, elapsed 10s, ETA 10s");
        }
    }

    @Test
    void percentIsCappedBelowAHundredAndOmittedWithoutSql() {
        try (Progress p = new Progress(1024, Duration.ofHours(1))) {
            p.archiveBytes.set(2048);
            assertThat(p.line(Duration.ofSeconds(2))).isEqualTo("dumped 2.0 KiB archive, 1.0 KiB/s, elapsed 2s");
            p.sqlBytes.set(10_000);
            assertThat(p.line(Duration.ofSeconds(2))).contains("(~99% of 1.0 KiB)");
        }
    }

    @Test
    void unknownDatabaseSizeGivesNoPercent() {
        try (Progress p = new Progress(0, Duration.ofHours(1))) {
            p.sqlBytes.set(5);
            assertThat(p.line(Duration.ofSeconds(1))).doesNotContain("%");
        }
    }

    @Test
    void thePreviousBackupsArchiveGivesTheEstimateAndTheEta() {
        try (Progress p = new Progress(400L * 1024 * 1024, 1000L * 1024 * 1024, Duration.ofHours(1), "app")) {
            p.archiveBytes.set(250L * 1024 * 1024);
            p.sqlBytes.set(10);
            assertThat(p.line(Duration.ofMinutes(10))).endsWith("(~25% of the last backup's 1000.0 MiB), 426.7 KiB/s, elapsed 600s, ETA 30m 00s");
            p.archiveBytes.set(10L * 1024 * 1024);
            assertThat(p.line(Duration.ofSeconds(30))).as("1%% done says too little for an ETA").doesNotContain("ETA");
            p.archiveBytes.set(2000L * 1024 * 1024);
            assertThat(p.line(Duration.ofHours(2))).contains("(~99% of").doesNotContain("ETA");
        }
    }

    @Test
    void etaDurationsReadAsHoursMinutesSeconds() {
        assertThat(Progress.duration(45)).isEqualTo("45s");
        assertThat(Progress.duration(725)).isEqualTo("12m 05s");
        assertThat(Progress.duration(3 * 3600 + 7 * 60 + 30)).isEqualTo("3h 07m");
    }
}
