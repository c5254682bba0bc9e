package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CancellationTest {
    @Test
    void awaitReturnsTheResultOrRethrowsTheWorksOwnFailure() {
        Cancellation c = new Cancellation();
        assertThat(c.await(CompletableFuture.completedFuture(42), "x")).isEqualTo(42);
        assertThatThrownBy(() -> c.await(CompletableFuture.failedFuture(new PgBackupException(ExitCode.DATABASE, "db")), "x"))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.DATABASE));
    }

    @Test
    void aStopEndsAWaitOnWorkThatNeverFinishes() {
        Cancellation c = new Cancellation();
        CompletableFuture<Object> never = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> c.cancel("SIGTERM"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.await(never, "while checking the source database"))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.INTERRUPTED);
                    assertThat(e.getMessage()).isEqualTo("interrupted by SIGTERM while checking the source database");
                });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
    }

    @Test
    void aStopForAnotherReasonCarriesItsExitCode() {
        Cancellation c = new Cancellation();
        c.cancel("the lease on 'p' was taken over", ExitCode.LOCKED);
        assertThatThrownBy(() -> c.check("before the manifest was written"))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.LOCKED);
                    assertThat(e.getMessage()).contains("taken over").contains("before the manifest was written");
                });
    }
}
