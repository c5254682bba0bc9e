package io.pgbackup.storage;

import java.time.Instant;

/**
 * An upload that was started and never completed nor aborted: a multipart upload on S3, a temp
 * file in a directory. {@code id} is the store's handle for {@link ObjectStore#abort};
 * {@code initiated} is the store's clock; {@code bytes} what its parts hold so far (-1 unknown).
 */
public record PendingUpload(String key, String id, Instant initiated, long bytes) {}
