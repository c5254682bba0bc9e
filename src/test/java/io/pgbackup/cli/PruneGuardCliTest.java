package io.pgbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.Main;
import io.pgbackup.jobs.Context;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.fs.FsObjectStore;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prune through the command line, over a directory: the guard refuses after an anomalous backup, --force overrides. */
class PruneGuardCliTest {
    @TempDir
    Path dir;

    record Run(int rc, String out, String err) {}

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(args, new Context(Map.of("BACKUP_DIR", dir.toString(), "PATH", "/usr/bin:/bin"),
                Clock.systemUTC(), new Cancellation()), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void anAnomalousNewestBackupStopsThePruneUntilForced() throws Exception {
        FsObjectStore store = new FsObjectStore(dir);
        KeyLayout l = new KeyLayout("");
        long[] rows = {2, 500_000, 500_100, 500_200, 500_300}; // the newest: a database emptied upstream
        Instant now = Instant.now();
        for (int i = 0; i < rows.length; i++) {
            Instant t = now.minus(Duration.ofDays(i)).minusSeconds(60);
            String stem = KeyLayout.relativeStem(t, 1);
            String key = l.archiveKey(stem, null, false);
            store.put(key, new ByteArrayInputStream(new byte[1]));
            Manifest m = new Manifest(Manifest.Header.of(1, "test"), Manifest.Run.of(stem, null, "adhoc", null, t,
                    t.plusSeconds(30)), new Manifest.Source("app", "postgresql://h/app", "17.2", 17, 500_000_000L, null),
                    new Manifest.Dump("17.2", "zstd:1", List.of(), null, null),
                    List.of(new Manifest.StoredObject(key, "custom", "zstd:1", 20_000_000 + rows[i] * 40, "00")),
                    new Manifest.Counts(List.of(new Manifest.Table("public", "orders", rows[i], rows[i], null)),
                            new Manifest.Rows(Manifest.Rows.DUMP_STREAM, rows[i], 0)), null, null);
            store.put(l.manifestKey(stem), new ByteArrayInputStream(ManifestCodec.encode(m)));
        }
        Run dry = run("prune", "--keep-last", "2", "--dry-run");
        assertThat(dry.rc()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("REFUSED: the newest backup").contains("rows");
        Run refused = run("prune", "--keep-last", "2");
        assertThat(refused.rc()).isEqualTo(ExitCode.CHECK_FAILED.code());
        assertThat(refused.err().strip()).startsWith("pgbackup: error: prune refused: the newest backup")
                .contains("prune --force").doesNotContain("\n");
        assertThat(store.list("").stream().filter(o -> o.key().endsWith(".json")).count()).as("nothing deleted")
                .isEqualTo(5);
        Run forced = run("prune", "--keep-last", "2", "--force");
        assertThat(forced.rc()).as(forced.err()).isZero();
        assertThat(store.list("").stream().filter(o -> o.key().endsWith(".json")).count()).isEqualTo(2);
    }
}
