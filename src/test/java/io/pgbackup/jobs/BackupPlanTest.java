package io.pgbackup.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.backup.take.WholeServer;
import io.pgbackup.pg.ConnectionString;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupPlanTest {
    private static BackupJob.Plan plan(WholeServer.Selection databases, int parallel) {
        return new BackupJob.Plan(BackupRequest.Contents.DEFAULT, databases, parallel, Duration.ofSeconds(5));
    }

    @Test
    void aServerBackupCountsTwoUploadsPerDatabaseDumpedAtOnce() {
        assertThat(plan(null, 1).uploadsInFlight()).as("one database: the archive and the script").isEqualTo(2);
        var all = new WholeServer.Selection(null, List.of());
        assertThat(plan(all, 1).uploadsInFlight()).isEqualTo(2);
        assertThat(plan(all, 3).uploadsInFlight()).isEqualTo(6);
    }

    @Test
    void runsAreLabelledWithTheDatabaseOrTheSelection() {
        ConnectionString src = ConnectionString.parse("postgres://u:p@h/app", "PG_URI");
        assertThat(plan(null, 1).label(src)).isEqualTo("app");
        assertThat(plan(new WholeServer.Selection(null, List.of()), 1).label(src)).isEqualTo("all");
        assertThat(plan(new WholeServer.Selection(List.of("a", "b"), List.of()), 1).label(src)).isEqualTo("a,b");
    }
}
