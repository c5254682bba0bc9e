package io.pgbackup.notify;

import java.time.Instant;

/**
 * One run as the channels see it. {@code runId} is a canonical lowercase UUID, the same for its
 * start and end events; {@code store} and {@code prefix} never carry credentials. {@code database}
 * is the configured one (PG_URI's database, "" when there is none), known before the run, so a
 * failure lands in the same metric group as the successes it follows.
 */
public record RunInfo(String runId, Kind kind, String command, String host, String store, String prefix,
        String database, Instant startedAt) {}
