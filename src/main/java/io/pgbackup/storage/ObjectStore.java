package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The narrow port every backup destination implements: put a stream, get, stat, list, delete.
 *
 * <p>Keys are '/'-separated relative paths ({@code prod/2026/11/27/03-00-00.dump}); they never
 * start with '/' and never contain empty, "." or ".." segments. Implementations MUST be safe for
 * concurrent use by several threads (a backup uploads two objects at once).
 *
 * <p>Errors: a missing key is reported as {@link ObjectNotFoundException} (get) or an empty
 * result (stat); a put onto an existing key is {@link ObjectExistsException}; everything else is
 * an {@link IOException} whose message names the key and the store's own error.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Stores the whole of {@code data} (length unknown up front) under {@code key}.
     *
     * <p>A put MUST NOT overwrite: if {@code key} already exists, or another writer creates it
     * before this put completes, the put fails with {@link ObjectExistsException} and the
     * existing object is unchanged (S3: conditional write {@code If-None-Match: *}; filesystem:
     * hard link of a fully written, fsynced temp file, which fails if the name exists).
     *
     * <p>The object becomes visible atomically, only after {@code data} reached end of stream.
     * If reading {@code data} throws, or the upload fails or the thread is interrupted, the put
     * MUST leave nothing behind (S3: abort the multipart upload; filesystem: delete the temp
     * file) and rethrow. The stream is read to its end but not closed.
     *
     * @return what was stored: key and byte count
     */
    ObjectInfo put(String key, InputStream data) throws IOException;

    /**
     * Opens the object for streaming reads; the caller closes the stream.
     *
     * @throws ObjectNotFoundException if {@code key} does not exist
     */
    InputStream get(String key) throws IOException;

    /** Metadata of {@code key}, or empty if it does not exist (never throws for a missing key). */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * Every object whose key starts with {@code prefix} (plain string prefix, "" for all), in
     * ascending key order (byte-wise, like S3's ListObjectsV2), complete: implementations page
     * through the store and never return only the first page. Incomplete uploads and temp files
     * are not listed.
     */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Deletes {@code key}. Deleting a missing key is not an error (idempotent). */
    void delete(String key) throws IOException;

    /** A short description for logs, without credentials: {@code s3://bucket/prefix}, a path. */
    String describe();

    @Override
    default void close() throws IOException {}
}
