package io.pgbackup.jobs;

import io.pgbackup.Cancellation;
import java.time.Clock;
import java.util.Map;

/** What every command receives from {@code Main}: the environment, the clock, the stop signal. */
public record Context(Map<String, String> env, Clock clock, Cancellation cancellation) {}
