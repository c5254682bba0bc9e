package io.pgbackup.backup.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scratch databases of server drills: within Postgres' 63 bytes, one per database. */
class ScratchNameTest {
    @Test
    void serverDrillScratchNamesFitPostgresLimit() {
        String a = DrillService.scratchName("2026/12/01/03-00-00", "app");
        assertThat(a).isEqualTo("pgbackup_drill_20261201_030000_app");
        String longName = "x".repeat(60);
        String b = DrillService.scratchName("2026/12/01/03-00-00-2", longName);
        assertThat(b.length()).isLessThanOrEqualTo(63);
        assertThat(b).isNotEqualTo(DrillService.scratchName("2026/12/01/03-00-00-2", longName + "y"));
        assertThat(DrillService.scratchName("2026/12/01/03-00-00", "my_db")).isEqualTo("pgbackup_drill_20261201_030000_my_db");
        assertThat(DrillService.scratchName("2026/12/01/03-00-00", "My DB")).startsWith("pgbackup_drill_20261201_030000_my_db_")
                .as("names that differ only by case or punctuation get scratch databases of their own")
                .isNotEqualTo(DrillService.scratchName("2026/12/01/03-00-00", "my_db"))
                .isNotEqualTo(DrillService.scratchName("2026/12/01/03-00-00", "My_DB"));
    }
}
