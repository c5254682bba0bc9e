package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The versions of a versioned store (S3 with versioning): what a delete without a version id only
 * hides. A store without versioning has no such capability ({@link ObjectStore#versions} is empty).
 *
 * <p>Errors as {@link ObjectStore}'s: an IOException names the operation, the key and the store's
 * words; a version that Object Lock keeps is {@link ObjectLockedException} on delete.
 */
public interface Versions {
    /** Every version and delete marker of every key under {@code prefix}, keys ascending, newest first per key. */
    List<ObjectVersion> list(String prefix) throws IOException;

    /** One version's bytes from {@code offset} on (resumed on transport failures, as {@link ObjectStore#get}). */
    InputStream get(String key, String versionId, long offset) throws IOException;

    /**
     * Deletes one version (or delete marker) for good; a version still under Object Lock is
     * {@link ObjectLockedException}; one already gone is not an error.
     */
    void delete(String key, String versionId) throws IOException;

    /** The Object Lock retention of one version, if it has one. */
    Optional<Retention> retention(String key, String versionId) throws IOException;

    /** The bucket's versioning, Object Lock and default retention. */
    Protection protection() throws IOException;
}
