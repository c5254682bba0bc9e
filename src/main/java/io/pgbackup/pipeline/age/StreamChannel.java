package io.pgbackup.pipeline.age;

import java.io.IOException;
import java.nio.channels.Channel;

/** A channel over a stream (Jagged reads and writes channels): open until closed once, which closes the stream. */
abstract class StreamChannel implements Channel {
    private boolean open = true;

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            closeStream();
        }
    }

    abstract void closeStream() throws IOException;
}
