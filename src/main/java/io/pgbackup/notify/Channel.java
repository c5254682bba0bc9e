package io.pgbackup.notify;

import java.io.IOException;

/**
 * A place runs are reported to. Implementations send one request per call and throw on any
 * failure (the {@link Notifier} retries, bounds and logs); they never log URLs, which hold tokens.
 */
public interface Channel {
    /** Whether this channel reports runs of {@code kind} at all (a drill ping URL only drills...). */
    boolean wants(Kind kind);

    /** A run started. Channels without a start event do nothing. */
    void started(RunInfo run) throws IOException;

    /** A run ended. */
    void finished(RunInfo run, Outcome outcome) throws IOException;

    /** For warnings: the kind of channel and the host it talks to, never the whole URL. */
    String describe();
}
