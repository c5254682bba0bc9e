package io.pgbackup.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A server backup's per-database keys: findable by a person, unambiguous for pgbackup. */
class DatabaseKeysTest {
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
}
