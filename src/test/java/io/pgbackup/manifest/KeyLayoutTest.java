package io.pgbackup.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyLayoutTest {

    private static final String STEM = "2026/01/02/03-04-05";

    @Test
    void stemIsUtcAndZeroPadded() {
        assertThat(KeyLayout.relativeStem(Instant.parse("2026-01-02T03:04:05Z"), 1)).isEqualTo(STEM);
        assertThat(KeyLayout.relativeStem(Instant.parse("2026-11-27T23:59:59.999Z"), 1))
                .isEqualTo("2026/11/27/23-59-59");
        // An instant given with an offset is rendered in UTC, not in its or the JVM's zone.
        assertThat(KeyLayout.relativeStem(Instant.parse("2026-03-01T00:30:00+02:00"), 1))
                .isEqualTo("2026/02/28/22-30-00");
    }

    @Test
    void sequenceSuffix() {
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        assertThat(KeyLayout.relativeStem(t, 0)).isEqualTo(STEM);
        assertThat(KeyLayout.relativeStem(t, 2)).isEqualTo(STEM + "-2");
        assertThat(KeyLayout.relativeStem(t, 13)).isEqualTo(STEM + "-13");
    }

    @Test
    void dayPrefix() {
        assertThat(KeyLayout.dayPrefix(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026/01/02/");
    }

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(value = {
            "'/prod/', prod",
            "prod, prod",
            "'prod/', prod",
            "'', ''",
            "'a/b/', a/b",
            "'//a/b//', a/b",
            "'  /x/  ', x",
            "'/', ''",
    })
    void prefixNormalisation(String raw, String expected) {
        KeyLayout l = new KeyLayout(raw);
        assertThat(l.prefix()).isEqualTo(expected);
        assertThat(l.root()).isEqualTo(expected.isEmpty() ? "" : expected + "/");
        assertThat(l.manifestKey(STEM)).isEqualTo(l.root() + STEM + ".json");
    }

    @Test
    void nullPrefixIsEmpty() {
        KeyLayout l = new KeyLayout(null);
        assertThat(l.prefix()).isEmpty();
        assertThat(l.root()).isEmpty();
    }

    @Test
    void keysJoinRootStemAndSuffix() {
        KeyLayout l = new KeyLayout("/prod/");
        assertThat(l.manifestKey(STEM)).isEqualTo("prod/2026/01/02/03-04-05.json");
        assertThat(l.archiveKey(STEM, null, false)).isEqualTo("prod/2026/01/02/03-04-05.dump");
        assertThat(new KeyLayout("").manifestKey(STEM)).isEqualTo("2026/01/02/03-04-05.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prod", "a/b"})
    void manifestKeyRoundTrip(String prefix) {
        KeyLayout l = new KeyLayout(prefix);
        for (String stem : new String[] {STEM, STEM + "-2", STEM + "-10"}) {
            assertThat(l.manifestStem(l.manifestKey(stem))).contains(stem);
            assertThat(l.stemOf(l.manifestKey(stem))).contains(stem);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "prod/2026/01/02/03-04-05.dump",
            "prod/2026/01/02/03-04-05.sql.zst",
            "prod/2026/01/02/03-04-05.drill-20260102T040000Z.json",
            "other/2026/01/02/03-04-05.json",
            "prod2/2026/01/02/03-04-05.json",
            "prod/latest.json",
            "prod/2026/1/2/03-04-05.json",
            "prod/2026/01/02/03-04-05-x.json",
            "prod/x/2026/01/02/03-04-05.json",
            "2026/01/02/03-04-05.json",
    })
    void manifestStemRejectsEverythingButManifests(String key) {
        assertThat(new KeyLayout("prod").manifestStem(key)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "prod/2026/01/02/03-04-05.dump, 2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05.sql.zst, 2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05.sql.gz, 2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05.json, 2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05.inprogress, 2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05.drill-20260102T040000Z.json, 2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05-2.dump, 2026/01/02/03-04-05-2",
            "prod/2026/01/02/03-04-05-2.inprogress, 2026/01/02/03-04-05-2",
    })
    void stemOfAnySuffix(String key, String stem) {
        assertThat(new KeyLayout("prod").stemOf(key)).contains(stem);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "prod/README.md",
            "prod/2026/01/02/03-04-05",
            "prod/2026/01/02/03-04-05x.dump",
            "prod/2026/01/02/03-04-05-2x.dump",
            // one level under a stem is a server backup's database (see ServerBackupUnitTest); deeper is foreign
            "prod/2026/01/02/03-04-05/a/inner.dump",
            "other/2026/01/02/03-04-05.dump",
            "prod2/2026/01/02/03-04-05.dump",
            "prod/2026/1/02/03-04-05.dump",
            "prod/.pgbackup-tmp-03-04-05.dump",
            "2026/01/02/03-04-05.dump",
    })
    void stemOfRejectsForeignKeys(String key) {
        assertThat(new KeyLayout("prod").stemOf(key)).isEmpty();
    }

    @Test
    void emptyPrefixDoesNotClaimPrefixedKeys() {
        KeyLayout l = new KeyLayout("");
        assertThat(l.stemOf("2026/01/02/03-04-05.dump")).contains(STEM);
        assertThat(l.stemOf("prod/2026/01/02/03-04-05.dump")).isEmpty();
        assertThat(l.manifestStem("prod/2026/01/02/03-04-05.json")).isEmpty();
    }

    @Test
    void instantOf() {
        assertThat(KeyLayout.instantOf(STEM)).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(KeyLayout.instantOf(STEM + "-3")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        Instant t = Instant.parse("2031-12-31T23:59:58Z");
        assertThat(KeyLayout.instantOf(KeyLayout.relativeStem(t, 4))).isEqualTo(t);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "2026/01/02", "2026/01/02/03-04-05.json", "prod/2026/01/02/03-04-05"})
    void instantOfRejectsNonStems(String s) {
        assertThat(KeyLayout.isRelativeStem(s)).isFalse();
        assertThatThrownBy(() -> KeyLayout.instantOf(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(s);
    }

    @Test
    void isRelativeStem() {
        assertThat(KeyLayout.isRelativeStem(STEM)).isTrue();
        assertThat(KeyLayout.isRelativeStem(STEM + "-2")).isTrue();
    }

    @Test
    void everyKeyOfARunComesFromTheLayout() {
        KeyLayout l = new KeyLayout("prod/db1");
        assertThat(l.lockKey()).isEqualTo("prod/db1/pgbackup.lock");
        assertThat(l.storeProbeKey()).isEqualTo("prod/db1/pgbackup.store.json");
        assertThat(l.markerKey("2026/11/27/03-00-00")).isEqualTo("prod/db1/2026/11/27/03-00-00.inprogress");
        String report = l.drillReportKey("2026/11/27/03-00-00", Instant.parse("2026-11-27T04:00:00.123Z"));
        assertThat(report).isEqualTo("prod/db1/2026/11/27/03-00-00.drill-20261127T040000123Z.json");
        assertThat(report).startsWith(l.drillReportPrefix("2026/11/27/03-00-00"));
        assertThat(KeyLayout.isDrillReport(report)).isTrue();
        assertThat(KeyLayout.isBackupObject(report)).as("a report is not part of the backup").isFalse();
        assertThat(KeyLayout.isBackupObject("prod/db1/2026/11/27/03-00-00.json")).isTrue();
        assertThat(KeyLayout.isMarker(l.markerKey("2026/11/27/03-00-00"))).isTrue();
        assertThat(l.stemOf(l.markerKey("2026/11/27/03-00-00"))).contains("2026/11/27/03-00-00");
        assertThat(l.stemOf(l.lockKey())).isEmpty();
        assertThat(l.stemOf(l.probeScratchKey("x"))).isEmpty();
    }

    @Test
    void messagesNameThePrefixOrSayThereIsNone() {
        assertThat(new KeyLayout("prod").describe()).isEqualTo("'prod'");
        assertThat(new KeyLayout("").describe()).isEqualTo("the bucket root (no S3_PREFIX)");
        assertThat(new KeyLayout("").lockKey()).isEqualTo("pgbackup.lock");
    }
}
