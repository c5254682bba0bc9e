package io.pgbackup.repo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ProcessId;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.fs.FsObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sweep removes under the lock, and what it must never touch. */
class OrphanSweeperTest {
    @TempDir
    Path dir;
    final KeyLayout layout = new KeyLayout("prod");
    final Instant now = Instant.parse("2026-11-27T12:00:00Z");
    final PrefixLock.Lease ours = new PrefixLock.Lease("ours", ProcessId.self(), "backup", now, now, now.plusSeconds(600));

    void put(FsObjectStore s, String key, byte[] b) throws Exception {
        s.put(key, new ByteArrayInputStream(b));
    }

    void marker(FsObjectStore s, String stem, String lease) throws Exception {
        put(s, layout.markerKey(stem), ManifestCodec.encode(new StemClaim.Marker("run-" + lease, lease, ProcessId.self(), now)));
    }

    /** A temp file as a killed writer leaves it: a pending upload of the directory store. */
    Path pending(String key, Instant mtime) throws Exception {
        Path target = dir.resolve(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(".pgbackup-tmp-" + target.getFileName() + "-" + java.util.UUID.randomUUID());
        Files.write(tmp, new byte[1000]);
        Files.setLastModifiedTime(tmp, FileTime.from(mtime));
        return tmp;
    }

    List<String> keys(FsObjectStore s) throws Exception {
        return s.list("").stream().map(ObjectInfo::key).toList();
    }

    @Test
    void aDeadRunsDebrisIsRemovedAndEverythingElseKept() throws Exception {
        FsObjectStore s = new FsObjectStore(dir);
        // a complete backup: never touched
        put(s, "prod/2026/11/26/03-00-00.dump", new byte[] {1});
        put(s, "prod/2026/11/26/03-00-00.json", new byte[] {2});
        // a killed run: marker of another lease, a finished .dump, a pending .sql.zst
        marker(s, "2026/11/27/03-00-00", "dead-lease");
        put(s, "prod/2026/11/27/03-00-00.dump", new byte[] {3});
        Path tmp = pending("prod/2026/11/27/03-00-00.sql.zst", now.minusSeconds(60));
        // our own running backup: marker with our lease
        marker(s, "2026/11/27/11-59-00", "ours");
        Path ourTmp = pending("prod/2026/11/27/11-59-00.dump", now);
        // an old leftover without a marker: its finished object stays for prune, its old upload goes
        put(s, "prod/2026/11/20/03-00-00.dump", new byte[] {4});
        Path oldTmp = pending("prod/2026/11/20/03-00-00.sql.zst", now.minus(Duration.ofDays(7)));
        Path youngTmp = pending("prod/2026/11/27/11-58-00.dump", now.minusSeconds(30));

        OrphanSweeper.Swept swept = OrphanSweeper.sweep(s, layout, ours, Duration.ofMinutes(10), now);

        assertThat(keys(s)).containsExactlyInAnyOrder("prod/2026/11/26/03-00-00.dump", "prod/2026/11/26/03-00-00.json",
                "prod/2026/11/27/11-59-00.inprogress", "prod/2026/11/20/03-00-00.dump");
        assertThat(tmp).doesNotExist();
        assertThat(oldTmp).doesNotExist();
        assertThat(ourTmp).as("our own run's upload").exists();
        assertThat(youngTmp).as("a young upload without a marker may be a live run's").exists();
        assertThat(swept.stems()).contains("2026/11/27/03-00-00", "2026/11/20/03-00-00");
        assertThat(swept.abortedUploads()).isEqualTo(2);
        assertThat(swept.abortedBytes()).isEqualTo(2000);
        assertThat(swept.deletedObjects()).isEqualTo(2);
    }

    @Test
    void aStoreWithNothingToSweepIsLeftAlone() throws Exception {
        FsObjectStore s = new FsObjectStore(dir);
        put(s, "prod/2026/11/26/03-00-00.json", new byte[] {2});
        assertThat(OrphanSweeper.sweep(s, layout, ours, Duration.ofMinutes(10), now).isEmpty()).isTrue();
        assertThat(keys(s)).hasSize(1);
    }
}
