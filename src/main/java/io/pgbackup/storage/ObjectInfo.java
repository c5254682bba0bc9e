package io.pgbackup.storage;

import java.time.Instant;

/** Metadata of a stored object. {@code lastModified} is informative only: never plan on it. */
public record ObjectInfo(String key, long size, Instant lastModified) {}
