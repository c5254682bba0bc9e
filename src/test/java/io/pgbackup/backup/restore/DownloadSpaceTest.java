package io.pgbackup.backup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A --jobs restore says up front what disk its download takes, and refuses when it does not fit. */
class DownloadSpaceTest {
    static final long GIB = 1L << 30;

    @Test
    void theDownloadIsStatedBeforeItStarts() {
        assertThat(RestoreService.downloadSpace(20 * GIB, 100 * GIB, Path.of("/scratch"), 4))
                .isEqualTo("--jobs 4: downloading the archive (20.0 GiB) to /scratch first, where 100.0 GiB are free; "
                        + "it is deleted after the restore");
    }

    @Test
    void anArchiveThatDoesNotFitIsExit2NamingTempDirAndTheStreamedRestore() {
        assertThatThrownBy(() -> RestoreService.downloadSpace(20 * GIB, 21 * GIB, Path.of("/tmp"), 2))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessage("--jobs 2 downloads the archive first (pg_restore -j reads a file) and needs 22.0 GiB free in "
                        + "/tmp but 21.0 GiB are: set --temp-dir to a bigger disk, or restore without --jobs (streamed, "
                        + "no disk)");
    }
}
