package io.pgbackup.repo;

import java.io.IOException;

/**
 * Reading a stored object from the store failed (after the store's resumes and retries): a
 * transport failure, exit code 6. It is never a verdict on the stored bytes; only a complete read
 * that does not match the manifest is ({@link StoredRead#finish}).
 */
public final class StoredReadException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String key;

    StoredReadException(String key, IOException cause) {
        super("download of " + key + " failed: " + cause.getMessage(), cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
