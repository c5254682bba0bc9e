package io.pgbackup.storage;

import java.io.IOException;

/** A get named a key that does not exist. */
public class ObjectNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String key) {
        super("object not found: " + key);
    }
}
