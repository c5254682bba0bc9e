package io.pgbackup.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A server backup's per-database keys: findable by a person, unambiguous for pgbackup. */
class DatabaseKeysTest {
    @Test
    void databaseKeysKeepNamesFindableAndUnambiguous() {
        KeyLayout l = new KeyLayout("prod");
        assertThat(l.archiveKey("2026/12/01/03-00-00", "app", false)).isEqualTo("prod/2026/12/01/03-00-00/app.dump");
        assertThat(l.scriptKey("2026/12/01/03-00-00", "My DB", "zstd", true))
                .isEqualTo("prod/2026/12/01/03-00-00/My%20DB.sql.zst.age");
        assertThat(l.archiveKey("2026/12/01/03-00-00", null, true)).isEqualTo("prod/2026/12/01/03-00-00.dump.age");
        assertThat(l.scriptKey("2026/12/01/03-00-00", null, "gzip", false)).isEqualTo("prod/2026/12/01/03-00-00.sql.gz");
        assertThat(l.globalsKey("2026/12/01/03-00-00", false)).isEqualTo("prod/2026/12/01/03-00-00.globals.sql.zst");
        assertThat(KeyLayout.decryptedName("03-00-00.dump.age")).isEqualTo("03-00-00.dump");
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
