package io.pgbackup.storage;

import java.time.Instant;

/**
 * Metadata of a stored object. {@code lastModified} is the store's clock, informative only:
 * never plan retention on it. {@code version} identifies this content (S3: the ETag) for
 * {@link ObjectStore#replace}; null where the store did not say.
 */
public record ObjectInfo(String key, long size, Instant lastModified, String version) {
    public ObjectInfo(String key, long size, Instant lastModified) {
        this(key, size, lastModified, null);
    }
}
