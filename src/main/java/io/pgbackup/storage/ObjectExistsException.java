package io.pgbackup.storage;

import java.io.IOException;

/** A put found its key taken: the existing object was left as it was. */
public class ObjectExistsException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectExistsException(String key) {
        super("object already exists: " + key);
    }
}
