package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The narrow port every backup destination implements: put a stream, get, stat, list, delete,
 * plus the two calls that keep a store clean after a crash (pending uploads and their abort) and
 * a conditional replace for leases.
 *
 * <p>Keys are '/'-separated relative paths ({@code prod/2026/11/27/03-00-00.dump}); they never
 * start with '/' and never contain empty, "." or ".." segments. Implementations MUST be safe for
 * concurrent use by several threads (a backup uploads several objects at once).
 *
 * <p>Errors: a missing key is reported as {@link ObjectNotFoundException} (get) or an empty
 * result (stat); a put onto an existing key is {@link ObjectExistsException}; a replace whose
 * expected version is not the stored one is {@link ObjectChangedException}. Every other failure
 * is an {@link IOException} whose message names the operation, the key and the store's own
 * error, after transient failures (5xx, throttling, resets, timeouts) were retried for the
 * store's retry budget: an IOException from a store is a storage failure, never a statement
 * about the stored bytes. Every call is bounded in time (connect, read, write and per-attempt
 * timeouts).
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
     * MUST abort what it started (S3: abort the multipart upload; filesystem: delete the temp
     * file) and rethrow. If even the abort fails (the store is down, the process is killed), what
     * is left is reported by {@link #pendingUploads} so a later run can abort it. The stream is
     * read to its end but not closed.
     *
     * @return what was stored: key, byte count and version
     */
    ObjectInfo put(String key, InputStream data) throws IOException;

    /**
     * As {@link #put}, written as {@code how} says: the new version locked by its retention with
     * S3 Object Lock (every request that writes it carries the mode and the retain-until date, so
     * no unlocked moment exists), its parts sized for its expected size. A store that cannot lock
     * refuses any retention with an IOException; one without parts ignores the size.
     */
    default ObjectInfo put(String key, InputStream data, Put how) throws IOException {
        if (how.retention() != null) {
            throw new IOException(describe() + " cannot lock objects (Object Lock is an S3 feature)");
        }
        return put(key, data);
    }

    /**
     * Opens the object for streaming reads; the caller closes the stream. A transport failure
     * while reading is resumed from the byte reached (a ranged read) within the retry budget, so
     * the stream delivers every byte once, in order; closing it early does not read the rest.
     *
     * @throws ObjectNotFoundException if {@code key} does not exist
     */
    InputStream get(String key) throws IOException;

    /**
     * The object from byte {@code offset} on; an offset at or past its end gives an empty stream.
     *
     * @throws ObjectNotFoundException if {@code key} does not exist
     */
    InputStream get(String key, long offset) throws IOException;

    /** Metadata of {@code key}, or empty if it does not exist (never throws for a missing key). */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * Every object whose key starts with {@code prefix} (plain string prefix, "" for all), in
     * ascending key order (byte-wise, like S3's ListObjectsV2), complete: implementations page
     * through the store and never return only the first page. Incomplete uploads and temp files
     * are not listed (see {@link #pendingUploads}).
     */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Deletes {@code key}. Deleting a missing key is not an error (idempotent). */
    void delete(String key) throws IOException;

    /**
     * Replaces small object {@code key} with {@code data} only if its current version is
     * {@code expectedVersion} (S3: {@code If-Match} on the ETag; filesystem: compare and rename
     * under a file lock). Two writers replacing the same version: exactly one wins.
     *
     * @throws ObjectChangedException if the stored version differs or the key is gone
     */
    ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException;

    /**
     * Uploads that were started under {@code prefix} and neither completed nor aborted (S3:
     * multipart uploads; filesystem: temp files), oldest first. They are invisible to get and
     * list but take space (and money) until {@link #abort}ed.
     */
    List<PendingUpload> pendingUploads(String prefix) throws IOException;

    /** Aborts a pending upload, freeing its space; aborting one that is already gone is not an error. */
    void abort(PendingUpload upload) throws IOException;

    /** The store's versions, when it keeps them (a versioned bucket); empty otherwise. */
    default Optional<Versions> versions() {
        return Optional.empty();
    }

    /** A short description for logs, without credentials: {@code s3://bucket/prefix}, a path. */
    String describe();

    @Override
    default void close() throws IOException {}
}
