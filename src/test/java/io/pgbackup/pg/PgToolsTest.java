package io.pgbackup.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which client programs back up and restore which server: the version rules of the README's table. */
class PgToolsTest {
    static final List<Integer> ALL = List.of(13, 14, 15, 16, 17, 18);
    static final List<Integer> DEBIAN = List.of(13, 15, 17, 18); // what Debian packages (the CI image)

    @Test
    void everyServerIsDumpedByItsOwnMajorWhenInstalled() {
        for (int server : ALL) {
            assertThat(PgTools.dumpMajor(ALL, server)).contains(server);
        }
    }

    @Test
    void withoutItsOwnMajorTheOldestNewerOneDumps() {
        assertThat(PgTools.dumpMajor(DEBIAN, 14)).contains(15);
        assertThat(PgTools.dumpMajor(DEBIAN, 16)).contains(17);
        assertThat(PgTools.dumpMajor(DEBIAN, 12)).contains(13);
        assertThat(PgTools.dumpMajor(DEBIAN, 19)).isEmpty();
    }

    @Test
    void aRestoreUsesTheTargetsOwnMajorWhenItReadsTheArchive() {
        // a backup of major N (pg_dump N) into N and every newer major: straight into the target
        for (int n : ALL) {
            for (int target : ALL) {
                if (target >= n) {
                    assertThat(PgTools.route(ALL, n, target)).contains(new PgTools.MajorRoute(target, false));
                }
            }
        }
    }

    @Test
    void withoutTheTargetsMajorTheClosestOlderReaderConnectsAndOnlyNewerOnesGoThroughTheirScript() {
        // 15's dump into 16: pg_restore 15 talks to a 16 server with settings 16 knows
        assertThat(PgTools.route(DEBIAN, 15, 16)).contains(new PgTools.MajorRoute(15, false));
        // 14's server dumped by pg_dump 15, into 14: pg_restore 15 (no 17+ session settings)
        assertThat(PgTools.route(DEBIAN, 15, 14)).contains(new PgTools.MajorRoute(15, false));
        // 16's server dumped by pg_dump 17, into 16: only 17 and 18 read it, both newer: 17's script, filtered
        assertThat(PgTools.route(DEBIAN, 17, 16)).contains(new PgTools.MajorRoute(17, true));
        assertThat(PgTools.route(DEBIAN, 17, 18)).contains(new PgTools.MajorRoute(18, false));
        assertThat(PgTools.route(DEBIAN, 19, 19)).isEmpty();
    }

    @Test
    void discoversDebiansLayoutAndNamesWhatIsInstalled(@TempDir Path root) throws Exception {
        for (int m : List.of(18, 13, 15)) {
            fakeTools(root.resolve(m + "/bin"), m);
        }
        Files.createDirectories(root.resolve("16/bin")); // an empty directory: no programs, no toolset
        PgTools tools = new PgTools(Map.of("PATH", "/nonexistent"), List.of(root));
        assertThat(tools.toolsets()).extracting(Toolset::major).containsExactly(13, 15, 18);
        assertThat(tools.forDump(new ToolVersion(14, "14.25")).major()).isEqualTo(15);
        assertThat(tools.version(tools.forDump(new ToolVersion(18, "18.2")), "pg_dump"))
                .contains(new ToolVersion(18, "18.6"));
        assertThatThrownBy(() -> tools.forDump(new ToolVersion(19, "19.1")))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.VERSION_MISMATCH);
                    assertThat(e.getMessage()).contains("PostgreSQL 19.1", "pg_dump 18.6", "13, 15, 18",
                            "PG_MAJOR=19", "postgresql-client-19");
                });
        assertThatThrownBy(() -> tools.forRestore(19, 19, "backup 2026/12/06/03-00-00"))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.VERSION_MISMATCH);
                    assertThat(e.getMessage()).contains("backup 2026/12/06/03-00-00 was written by pg_dump 19");
                });
    }

    @Test
    void pgBinDirListsDirectoriesWhoseMajorTheProgramsTell(@TempDir Path root) throws Exception {
        Path a = root.resolve("wrappers-a");
        Path b = root.resolve("wrappers-b");
        fakeTools(a, 17);
        fakeTools(b, 15);
        PgTools tools = new PgTools(Map.of("PG_BIN_DIR", a + ":" + b), List.of(root.resolve("none")));
        assertThat(tools.toolsets()).containsExactly(new Toolset(15, b), new Toolset(17, a));
        assertThat(tools.find("pg_dump")).contains(a.resolve("pg_dump"));
    }

    @Test
    void toolsOnPathJoinDebiansLayoutAndWinForTheirMajor(@TempDir Path root) throws Exception {
        fakeTools(root.resolve("lib/15/bin"), 15);
        fakeTools(root.resolve("lib/17/bin"), 17);
        Path custom = root.resolve("opt/pg17");
        fakeTools(custom, 17);
        PgTools tools = new PgTools(Map.of("PATH", "/nonexistent:" + custom), List.of(root.resolve("lib")));
        assertThat(tools.toolsets()).containsExactly(new Toolset(15, root.resolve("lib/15/bin")), new Toolset(17, custom));
    }

    @Test
    void noClientToolsIsAConfigurationError(@TempDir Path root) {
        PgTools tools = new PgTools(Map.of("PG_BIN_DIR", root.resolve("nothing").toString()), List.of(root));
        assertThat(tools.toolsets()).isEmpty();
        assertThat(tools.newest()).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> tools.forDump(new ToolVersion(15, "15.1")))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("pg_dump not found in PG_BIN_DIR=");
                });
    }

    static void fakeTools(Path dir, int major) throws Exception {
        Files.createDirectories(dir);
        for (String p : List.of("pg_dump", "pg_restore", "psql", "pg_dumpall")) {
            Path f = dir.resolve(p);
            Files.writeString(f, "#!/bin/sh\necho '" + p + " (PostgreSQL) " + major + "." + (major == 18 ? 6 : 2) + "'\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
