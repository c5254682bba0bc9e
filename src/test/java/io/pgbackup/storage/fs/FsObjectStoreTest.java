package io.pgbackup.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.ObjectStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the local-directory store, plus what is special about it. */
class FsObjectStoreTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ObjectStore newStore() {
        return new FsObjectStore(dir.resolve("store"));
    }

    @Override
    protected void assertNoLeftovers(ObjectStore s) throws Exception {
        assertThat(((FsObjectStore) s).tempFiles()).isEmpty();
    }

    @Test
    void keysMapToPathsUnderTheRoot() throws Exception {
        store.put("prod/2026/11/27/03-00-00.dump", new java.io.ByteArrayInputStream(new byte[] {1, 2}));
        assertThat(Files.readAllBytes(dir.resolve("store/prod/2026/11/27/03-00-00.dump"))).containsExactly(1, 2);
    }

    @Test
    void aTempFileLeftByAKilledWriterIsAPendingUploadUntilAborted() throws Exception {
        Path target = dir.resolve("store/prod/2026/11/27/03-00-00.dump");
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(".pgbackup-tmp-03-00-00.dump-" + java.util.UUID.randomUUID());
        Files.write(tmp, new byte[4096]);
        var pending = store.pendingUploads("prod/");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).key()).isEqualTo("prod/2026/11/27/03-00-00.dump");
        assertThat(pending.get(0).bytes()).isEqualTo(4096);
        assertThat(store.list("")).as("never listed").isEmpty();
        store.abort(pending.get(0));
        assertThat(tmp).doesNotExist();
        assertThat(store.pendingUploads("")).isEmpty();
    }

    @Test
    void listOfAMissingRootIsEmpty() throws Exception {
        assertThat(store.list("")).isEmpty();
        assertThat(Files.exists(dir.resolve("store"))).isFalse();
    }
}
