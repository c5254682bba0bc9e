package io.pgbackup.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.manifest.KeyLayout;
import org.junit.jupiter.api.Test;

class ServerBackupUnitTest {
    @Test
    void databaseKeysKeepNamesFindableAndUnambiguous() {
        KeyLayout l = new KeyLayout("prod");
        assertThat(l.databaseKey("2026/12/01/03-00-00", "app", ".dump")).isEqualTo("prod/2026/12/01/03-00-00/app.dump");
        assertThat(KeyLayout.encodeName("My DB")).isEqualTo("My%20DB");
        assertThat(KeyLayout.encodeName("a.b/c")).isEqualTo("a%2Eb%2Fc");
        assertThat(KeyLayout.encodeName("ünï")).isEqualTo("%C3%BCn%C3%AF");
        assertThat(KeyLayout.encodeName("x%41")).as("the escape character is escaped").isEqualTo("x%2541");
        // the stem of a database's object is the run's: prune, the sweeper and listings see one backup
        assertThat(l.stemOf("prod/2026/12/01/03-00-00/app.dump")).contains("2026/12/01/03-00-00");
        assertThat(l.stemOf("prod/2026/12/01/03-00-00.globals.sql.zst")).contains("2026/12/01/03-00-00");
        assertThat(l.stemOf("prod/2026/12/01/03-00-00/a/b.dump")).isEmpty();
        assertThat(l.manifestStem("prod/2026/12/01/03-00-00/app.json")).isEmpty();
        assertThat(KeyLayout.isBackupObject("prod/2026/12/01/03-00-00/app.dump.age")).isTrue();
        assertThat(KeyLayout.isBackupObject("prod/2026/12/01/03-00-00.drill-20261201T040000000Z.json.age")).isFalse();
    }

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
