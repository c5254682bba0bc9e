package io.pgbackup.backup.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.Manifest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowCheckTest {
    static Manifest manifest(List<Manifest.Table> tables, Manifest.Rows rows) {
        Instant t = Instant.parse("2026-11-27T03:00:00Z");
        return new Manifest(new Manifest.Header(1, "pgbackup", "test"),
                new Manifest.Run("2026/11/27/03-00-00", null, "adhoc", null, t, t, 1),
                null, null, List.of(),
                new Manifest.Counts(tables, rows), null, null);
    }

    @Test
    void exactCountsAreComparedExactlyAndEstimatesNeverFail() {
        Manifest m = manifest(List.of(new Manifest.Table("public", "a", 99999, 5L, null),
                new Manifest.Table("public", "p", 0, null, "partitioned"),
                new Manifest.Table("public", "audit", 500, null, "excluded")), new Manifest.Rows("dump-stream", 5, 1));
        var ok = RowCheck.checks(m, Map.of("public.a", 5L, "public.p", 0L, "public.audit", 0L), null, 1L);
        assertThat(ok).allMatch(DrillReport.Check::ok);
        var off = RowCheck.checks(m, Map.of("public.a", 4L, "public.p", 0L, "public.audit", 0L), 0.5, 0L);
        assertThat(off.get(1).detail()).isEqualTo("public.a has 4 rows, the backup counted 5");
        assertThat(off.get(2).detail()).isEqualTo("expected 1 large objects, found 0");
        var missing = RowCheck.checks(m, Map.of("public.a", 5L), null, 1L);
        assertThat(missing.get(0).ok()).isFalse();
        assertThat(missing.get(0).detail()).isEqualTo("missing: public.p, public.audit");
    }

    @Test
    void withoutExactCountsEstimatesAreANoteUnlessAToleranceIsGiven() {
        Manifest legacy = manifest(List.of(new Manifest.Table("public", "stale", 10000, null, null)), null);
        var noted = RowCheck.checks(legacy, Map.of("public.stale", 10L), null, null);
        assertThat(noted).allMatch(DrillReport.Check::ok).hasSize(2);
        assertThat(noted.get(1).detail()).contains("not checked").contains("public.stale has 10 rows");
        var strict = RowCheck.checks(legacy, Map.of("public.stale", 10L), 0.1, null);
        assertThat(strict.get(1).ok()).isFalse();
    }
}
