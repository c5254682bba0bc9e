package io.pgbackup.storage;

import java.io.IOException;

/** A conditional replace found another version (or no object) under its key; nothing was written. */
public class ObjectChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectChangedException(String key) {
        super("object changed meanwhile: " + key);
    }
}
