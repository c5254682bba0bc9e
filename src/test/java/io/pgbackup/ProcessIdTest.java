package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telling a dead lease holder or scratch-file owner from a live one. */
class ProcessIdTest {
    @Test
    void thisProcessIsAliveAndAnotherHostIsNeverDeclaredDead() {
        assertThat(ProcessId.self().isDeadOnThisHost()).isFalse();
        ProcessId elsewhere = new ProcessId("some-other-host", 1, Instant.EPOCH);
        assertThat(elsewhere.isDeadOnThisHost()).isFalse();
        assertThat(elsewhere.onThisHost()).isFalse();
    }

    @Test
    void aProcessThatExitedIsDead() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        ProcessId id = new ProcessId(ProcessId.hostName(), p.pid(), p.info().startInstant().orElse(null));
        assertThat(id.isDeadOnThisHost()).isFalse();
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        assertThat(id.isDeadOnThisHost()).isTrue();
    }

    @Test
    void aKilledProcessThatWasNotReapedYetIsDeadToo() throws Exception {
        // The background child of sh becomes a child of "sleep 30", which never waits for it: a zombie.
        // It outlives the exec by a second: a child that ended before it could be reaped by sh itself
        // (seen once on a loaded CI machine), and then there would be no zombie to look at.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 1 & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))
                    .readLine().strip());
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!ProcessId.zombie(zombie) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(ProcessId.zombie(zombie)).as("pid " + zombie + " is a zombie").isTrue();
            assertThat(ProcessHandle.of(zombie)).as("the JDK still sees it").isPresent();
            assertThat(new ProcessId(ProcessId.hostName(), zombie, null).isDeadOnThisHost()).isTrue();
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void theSamePidWithAnotherStartTimeIsAnEarlierIncarnation() {
        // A restarted container: same host name, same pid, another process.
        ProcessId earlier = new ProcessId(ProcessId.hostName(), ProcessId.self().pid(), Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(earlier.isDeadOnThisHost()).isTrue();
    }

    @Test
    void theSweepRemovesFilesOfDeadRunsOnlyAndKeepsOurs(@TempDir Path dir) throws Exception {
        Path mine = ScratchFiles.create(dir, "pgpass", ".pgpass");
        Path dead = dir.resolve("pgpass-999999999-1000-0123.pgpass"); // a pid that cannot exist
        Files.writeString(dead, "*:*:*:*:secret\n");
        Path unrelated = dir.resolve("pgpass-notes.txt");
        Files.writeString(unrelated, "x");
        assertThat(ScratchFiles.sweep(dir, "pgpass")).isEqualTo(1);
        assertThat(dead).doesNotExist();
        assertThat(mine).exists();
        assertThat(unrelated).exists();
        ScratchFiles.delete(mine);
        assertThat(mine).doesNotExist();
        assertThat(Files.getPosixFilePermissions(ScratchFiles.privateDir()))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                        java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
    }
}
