package io.pgbackup.notify.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMetricsTest {
    static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

    static RunInfo run(Kind kind) {
        return new RunInfo("0b0e8f0e-0000-4000-8000-000000000001", kind, "backup", "host1", "s3://b", "prod/db", "app", T0);
    }

    static Outcome success(Instant at) {
        return Outcome.success(at, "ok").with(new Outcome.Backup("2026/12/01/03-00-00",
                List.of(new Outcome.StoredObject("k.dump", "custom", 100), new Outcome.StoredObject("k.sql.zst",
                        "plain", 50)), "app", 9999L, 77L)).with(Map.of("tables", "3"));
    }

    static Map<String, Double> byName(List<Sample> s) {
        return s.stream().collect(Collectors.toMap(Sample::series, Sample::value));
    }

    @Test
    void aSuccessfulBackupHasEveryMetricWithPrefixDatabaseAndKind() {
        List<Sample> all = new java.util.ArrayList<>(RunMetrics.runSamples(run(Kind.BACKUP), success(T0.plusSeconds(12))));
        all.addAll(RunMetrics.successSamples(run(Kind.BACKUP), success(T0.plusSeconds(12))));
        Map<String, Double> m = byName(all);
        String l = "{database=app, kind=backup, prefix=prod/db}";
        assertThat(m).containsEntry("pgbackup_last_success_timestamp_seconds" + l,
                (double) T0.plusSeconds(12).getEpochSecond())
                .containsEntry("pgbackup_last_run_exit_code" + l, 0.0)
                .containsEntry("pgbackup_last_run_duration_seconds" + l, 12.0)
                .containsEntry("pgbackup_database_bytes" + l, 9999.0)
                .containsEntry("pgbackup_backup_rows" + l, 77.0)
                .containsEntry("pgbackup_backup_stored_bytes{database=app, format=custom, kind=backup, prefix=prod/db}", 100.0)
                .containsEntry("pgbackup_backup_stored_bytes{database=app, format=plain, kind=backup, prefix=prod/db}", 50.0);
    }

    @Test
    void aFailureCarriesOnlyRunSamplesSoTheLastSuccessSurvives() {
        Outcome fail = Outcome.failure(4, "DATABASE", "pgbackup: error: no", T0.plusSeconds(3));
        assertThat(RunMetrics.runSamples(run(Kind.BACKUP), fail)).extracting(Sample::name).doesNotContain(
                "pgbackup_last_success_timestamp_seconds");
        assertThat(byName(RunMetrics.runSamples(run(Kind.BACKUP), fail)))
                .containsEntry("pgbackup_last_run_exit_code{database=app, kind=backup, prefix=prod/db}", 4.0);
    }

    @Test
    void drillsHaveTheirOwnSuccessTimestamp() {
        assertThat(RunMetrics.successSamples(run(Kind.DRILL), success(T0))).extracting(Sample::name)
                .containsExactly("pgbackup_drill_last_success_timestamp_seconds");
    }

    @Test
    void theTextfileMergesRunsAndAFailureKeepsTheSuccessSamples(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pgbackup.prom");
        TextfileChannel ch = new TextfileChannel(file);
        ch.finished(run(Kind.BACKUP), success(T0.plusSeconds(10)));
        ch.finished(run(Kind.DRILL), success(T0.plusSeconds(20)));
        ch.finished(run(Kind.BACKUP), Outcome.failure(5, "STORAGE", "err", T0.plusSeconds(30)));
        Map<String, Double> m = byName(Exposition.read(Files.readString(file)));
        String b = "{database=app, kind=backup, prefix=prod/db}";
        assertThat(m).containsEntry("pgbackup_last_success_timestamp_seconds" + b,
                (double) T0.plusSeconds(10).getEpochSecond())
                .containsEntry("pgbackup_last_run_exit_code" + b, 5.0)
                .containsEntry("pgbackup_last_run_timestamp_seconds" + b, (double) T0.plusSeconds(30).getEpochSecond())
                .containsEntry("pgbackup_drill_last_success_timestamp_seconds{database=app, kind=drill, prefix=prod/db}",
                        (double) T0.plusSeconds(20).getEpochSecond());
        // temp + rename: nothing else is left in the directory
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
        assertThat(Files.readString(file)).contains("# TYPE pgbackup_last_run_exit_code gauge");
    }

    @Test
    void pushgatewayGroupsByPrefixDatabaseAndKindInBase64() {
        PushgatewayChannel ch = new PushgatewayChannel(java.net.URI.create("http://pg:9091/"), null);
        assertThat(ch.groupUrl(run(Kind.BACKUP), success(T0)).toString())
                .isEqualTo("http://pg:9091/metrics/job/pgbackup/prefix@base64/cHJvZC9kYg==/database@base64/YXBw/kind/backup");
        RunInfo noPrefix = new RunInfo("r", Kind.PRUNE, "prune", "h", "s", "", "", T0);
        assertThat(ch.groupUrl(noPrefix, success(T0)).toString())
                .endsWith("/metrics/job/pgbackup/prefix@base64/=/database@base64/=/kind/prune");
    }

    @Test
    void theDaemonRegistryServesTheMergedSamples() {
        MetricsRegistry r = new MetricsRegistry();
        r.finished(run(Kind.BACKUP), success(T0.plusSeconds(5)));
        r.finished(run(Kind.BACKUP), Outcome.failure(5, "STORAGE", "err", T0.plusSeconds(9)));
        Map<String, Double> m = byName(Exposition.read(r.exposition()));
        assertThat(m).containsEntry("pgbackup_last_success_timestamp_seconds{database=app, kind=backup, prefix=prod/db}",
                (double) T0.plusSeconds(5).getEpochSecond())
                .containsEntry("pgbackup_last_run_exit_code{database=app, kind=backup, prefix=prod/db}", 5.0);
        assertThat(r.lastBackup().exit().success()).isFalse();
    }
}
