package io.pgbackup.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A reader that closes right after reading end-of-stream must never make the writer's close()
 * fail: that race once failed small backups with "pipe reader closed".
 */
class BoundedPipeRaceTest {
    @RepeatedTest(300)
    void closingAfterEndOfStreamNeverFailsTheWriter() throws Exception {
        BoundedPipe pipe = new BoundedPipe(16, 1);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = pipe.source()) {
                return in.readAllBytes().length;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        OutputStream out = pipe.sink();
        out.write(new byte[40]);
        out.close(); // must not throw
        assertThat(reader.get()).isEqualTo(40);
    }
}
