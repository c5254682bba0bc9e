package io.pgbackup.storage;

import java.time.Instant;

/**
 * One version of a key in a versioned store: its id, size and when it was written (the store's
 * clock), whether it is a delete marker (a delete without a version id only adds one), and whether
 * it is the current version.
 */
public record ObjectVersion(String key, String versionId, long size, Instant lastModified, boolean deleteMarker,
        boolean latest) {}
