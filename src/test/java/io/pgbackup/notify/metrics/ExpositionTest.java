package io.pgbackup.notify.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExpositionTest {
    @Test
    void writesHelpAndTypeOncePerMetricAndNoTimestamps() {
        String text = Exposition.write(List.of(
                new Sample("pgbackup_backup_stored_bytes", new TreeMap<>(Map.of("format", "plain", "prefix", "p")), 42),
                new Sample("pgbackup_backup_stored_bytes", new TreeMap<>(Map.of("format", "custom", "prefix", "p")), 7),
                new Sample("pgbackup_last_run_duration_seconds", Map.of(), 1.5)));
        assertThat(text).isEqualTo("""
                # HELP pgbackup_backup_stored_bytes Bytes the last backup stored, by format
                # TYPE pgbackup_backup_stored_bytes gauge
                pgbackup_backup_stored_bytes{format="custom",prefix="p"} 7
                pgbackup_backup_stored_bytes{format="plain",prefix="p"} 42
                # HELP pgbackup_last_run_duration_seconds How long the last run (of its kind) took
                # TYPE pgbackup_last_run_duration_seconds gauge
                pgbackup_last_run_duration_seconds 1.500
                """);
        // every sample line is "name{labels} value": two fields, no third (timestamp) field
        text.lines().filter(l -> !l.startsWith("#")).forEach(l -> assertThat(l.split(" ")).hasSize(2));
    }

    @Test
    void everyMetricPgbackupWritesIsDescribed() {
        assertThat(Exposition.METRICS).containsKeys("pgbackup_last_success_timestamp_seconds",
                "pgbackup_last_run_timestamp_seconds", "pgbackup_last_run_exit_code", "pgbackup_last_run_duration_seconds",
                "pgbackup_backup_stored_bytes", "pgbackup_database_bytes", "pgbackup_backup_rows",
                "pgbackup_drill_last_success_timestamp_seconds", "pgbackup_notify_failures_total");
        assertThat(Exposition.METRICS.get("pgbackup_notify_failures_total")[0]).isEqualTo("counter");
    }

    @Test
    void readsBackWhatItWritesIncludingEscapedLabels() {
        Map<String, String> labels = new TreeMap<>(Map.of("prefix", "a\"b\\c\nd", "database", ""));
        List<Sample> in = List.of(new Sample("pgbackup_backup_rows", labels, 123456789012L),
                new Sample("pgbackup_last_run_exit_code", Map.of(), 8));
        List<Sample> back = Exposition.read(Exposition.write(in));
        assertThat(back).containsExactlyInAnyOrderElementsOf(in);
    }

    @Test
    void readingSkipsCommentsAndForeignLines() {
        assertThat(Exposition.read("# HELP x y\nnot a sample\nfoo 1\n\nbar{a=\"1\"} 2.5\n"))
                .containsExactly(new Sample("foo", Map.of(), 1), new Sample("bar", Map.of("a", "1"), 2.5));
    }
}
