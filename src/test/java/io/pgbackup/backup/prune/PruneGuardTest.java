package io.pgbackup.backup.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.repo.Catalog;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.storage.fs.FsObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention guard, over a real directory store: the last backups known to restore survive any
 * policy, and a database emptied upstream does not cost the backups from before it.
 */
class PruneGuardTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final KeyLayout L = new KeyLayout("db");
    private static final RetentionPolicy KEEP_LAST_2 = new RetentionPolicy(2, null, 0, 0, 0, 0, 0, 1, false,
            ZoneOffset.UTC);

    @TempDir
    Path dir;

    private FsObjectStore store;

    /** Daily backups, the newest first: {@code rows[i]} rows in the one table of day i back. */
    private void backups(long... rows) throws Exception {
        store = new FsObjectStore(dir);
        for (int i = 0; i < rows.length; i++) {
            Instant t = NOW.minus(Duration.ofDays(i)).minusSeconds(3600);
            String stem = KeyLayout.relativeStem(t, 1);
            String key = L.archiveKey(stem, null, false);
            store.put(key, new ByteArrayInputStream(new byte[1]));
            Manifest m = new Manifest(Manifest.Header.of(1, "test"), Manifest.Run.of(stem, null, "scheduled", t, t,
                    t.plusSeconds(60)), new Manifest.Source("app", "postgresql://h/app", "17.2", 17, 1_000_000_000L, null),
                    new Manifest.Dump("17.2", "zstd:1", List.of(), null, null),
                    List.of(new Manifest.StoredObject(key, "custom", "zstd:1", rows[i] * 100 + 20_000_000, "00")),
                    new Manifest.Counts(List.of(new Manifest.Table("public", "orders", rows[i], rows[i], null)),
                            new Manifest.Rows(Manifest.Rows.DUMP_STREAM, rows[i], 0)), null, null);
            store.put(L.manifestKey(stem), new ByteArrayInputStream(ManifestCodec.encode(m)));
        }
    }

    private void drill(int daysBack, boolean passed) throws Exception {
        Instant t = NOW.minus(Duration.ofDays(daysBack)).minusSeconds(3600);
        String stem = KeyLayout.relativeStem(t, 1);
        DrillReport r = new DrillReport(stem, t, "postgresql://h/postgres", "scratch", false, t.plusSeconds(600), 1, 1, 2,
                List.of(new DrillReport.Check("rows", passed, "")), passed);
        store.put(L.drillReportKey(stem, r.startedAt()), new ByteArrayInputStream(ManifestCodec.encode(r)));
    }

    private PruneService service() {
        return new PruneService(new Catalog(store, L));
    }

    @Test
    void theNewestBackupWithAPassedDrillIsKeptOverThePolicy() throws Exception {
        backups(1000, 1010, 1020, 1030, 1040);
        drill(3, true);
        drill(1, false); // a failed drill proves nothing
        PruneService.Outcome o = service().plan(KEEP_LAST_2, NOW, PruneService.Guard.DEFAULT);
        assertThat(o.refused()).isNull();
        assertThat(o.plan().keep()).extracting(d -> d.backup().stem()).containsExactly(
                KeyLayout.relativeStem(NOW.minusSeconds(3600), 1),
                KeyLayout.relativeStem(NOW.minus(Duration.ofDays(1)).minusSeconds(3600), 1),
                KeyLayout.relativeStem(NOW.minus(Duration.ofDays(3)).minusSeconds(3600), 1));
        assertThat(o.plan().keep().get(2).reasons()).containsExactly("one of the newest 1 backup(s) with a passed drill");
    }

    @Test
    void nothingIsDeletedAfterAnAnomalousBackupUnlessForced() throws Exception {
        backups(3, 1_000_000, 1_000_100, 1_000_200, 1_000_300);
        PruneService.Outcome o = service().plan(KEEP_LAST_2, NOW, PruneService.Guard.DEFAULT);
        assertThat(o.refused()).contains("is anomalous").contains("prune --force");
        assertThat(o.plan().delete()).as("the plan still says what it would delete").hasSize(3);
        assertThatThrownBy(() -> service().apply(o, null, NOW)).isInstanceOfSatisfying(PgBackupException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
            assertThat(e.getMessage()).startsWith("prune refused: the newest backup");
        });
        assertThat(new Catalog(store, L).all()).as("nothing deleted").hasSize(5);
        assertThat(service().plan(KEEP_LAST_2, NOW, PruneService.Guard.DEFAULT.forced()).refused()).isNull();
    }

    @Test
    void aNormalNewestBackupIsNoReasonToRefuse() throws Exception {
        backups(1_000_400, 1_000_000, 1_000_100, 1_000_200, 1_000_300);
        assertThat(service().plan(KEEP_LAST_2, NOW, PruneService.Guard.DEFAULT).refused()).isNull();
    }
}
