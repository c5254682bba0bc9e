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
    void listOfAMissingRootIsEmpty() throws Exception {
        assertThat(store.list("")).isEmpty();
        assertThat(Files.exists(dir.resolve("store"))).isFalse();
    }
}
