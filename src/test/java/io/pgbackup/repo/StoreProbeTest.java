package io.pgbackup.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.PendingUpload;
import io.pgbackup.storage.fs.FsObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conditional-write probe: a store that honours them passes once and is remembered; others are refused. */
class StoreProbeTest {
    @TempDir
    Path dir;
    final KeyLayout layout = new KeyLayout("p");

    /** A store whose conditional put checks, then waits, then writes: racing writers all win (S3Mock's way). */
    static class CheckThenWrite extends Forwarding {
        CheckThenWrite(ObjectStore d) {
            super(d);
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws IOException {
            byte[] b = data.readAllBytes();
            if (delegate.stat(key).isPresent()) {
                throw new ObjectExistsException(key);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            synchronized (this) { // the write itself overwrites whatever a racer wrote meanwhile
                delegate.delete(key);
                return delegate.put(key, new java.io.ByteArrayInputStream(b));
            }
        }
    }

    /** A store that ignores If-Match: every replace overwrites. */
    static class IgnoresIfMatch extends Forwarding {
        IgnoresIfMatch(ObjectStore d) {
            super(d);
        }

        @Override
        public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
            delegate.delete(key);
            return delegate.put(key, new java.io.ByteArrayInputStream(data));
        }
    }

    /** Counts puts, to see that a remembered answer needs no probe. */
    static class Counting extends Forwarding {
        final AtomicInteger puts = new AtomicInteger();

        Counting(ObjectStore d) {
            super(d);
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws IOException {
            puts.incrementAndGet();
            return delegate.put(key, data);
        }
    }

    @Test
    void aStoreThatHonoursConditionalWritesPassesAndTheAnswerIsRemembered() throws Exception {
        Counting store = new Counting(new FsObjectStore(dir));
        StoreProbe.Result fresh = StoreProbe.ensure(store, layout, StoreProbe.Mode.PROBE, Clock.systemUTC());
        assertThat(fresh.conditionalWrites()).isTrue();
        assertThat(store.list("p/")).as("scratch objects removed").isEmpty();
        StoreProbe.remember(store, layout, fresh);
        int puts = store.puts.get();
        assertThat(StoreProbe.ensure(store, layout, StoreProbe.Mode.PROBE, Clock.systemUTC())).as("remembered").isNull();
        assertThat(store.puts.get()).as("no second probe").isEqualTo(puts);
    }

    @Test
    void racingWritersThatBothWinAreRefusedWithTheOptOutNamed() {
        ObjectStore store = new CheckThenWrite(new FsObjectStore(dir));
        assertThatThrownBy(() -> StoreProbe.ensure(store, layout, StoreProbe.Mode.PROBE, Clock.systemUTC()))
                .isInstanceOfSatisfying(PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("does not honour conditional writes")
                            .contains("racing If-None-Match writers").contains("S3_CONDITIONAL_WRITES=unsafe-skip");
                });
    }

    @Test
    void aStoreThatIgnoresIfMatchIsRefused() {
        ObjectStore store = new IgnoresIfMatch(new FsObjectStore(dir));
        assertThatThrownBy(() -> StoreProbe.ensure(store, layout, StoreProbe.Mode.PROBE, Clock.systemUTC()))
                .hasMessageContaining("an If-Match write with a wrong version succeeded");
    }

    @Test
    void skippingProbesNothing() throws Exception {
        Counting store = new Counting(new FsObjectStore(dir));
        assertThat(StoreProbe.ensure(store, layout, StoreProbe.Mode.SKIP, Clock.systemUTC())).isNull();
        assertThat(store.puts).hasValue(0);
    }

    /** Forwards everything to a real store. */
    static class Forwarding implements ObjectStore {
        final ObjectStore delegate;

        Forwarding(ObjectStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws IOException {
            return delegate.put(key, data);
        }

        @Override
        public InputStream get(String key) throws IOException {
            return delegate.get(key);
        }

        @Override
        public InputStream get(String key, long offset) throws IOException {
            return delegate.get(key, offset);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) throws IOException {
            return delegate.stat(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
            return delegate.replace(key, data, expectedVersion);
        }

        @Override
        public List<PendingUpload> pendingUploads(String prefix) throws IOException {
            return delegate.pendingUploads(prefix);
        }

        @Override
        public void abort(PendingUpload upload) throws IOException {
            delegate.abort(upload);
        }

        @Override
        public String describe() {
            return "test store";
        }
    }
}
