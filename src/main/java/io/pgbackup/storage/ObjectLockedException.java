package io.pgbackup.storage;

import java.io.IOException;

/** A version that Object Lock (retention or legal hold) keeps: the store refused to delete or overwrite it. */
public final class ObjectLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ObjectLockedException(String message) {
        super(message);
    }
}
