package io.pgbackup.storage;

import java.time.Duration;

/**
 * What a bucket itself does to keep objects: versioning ({@code Enabled}, {@code Suspended} or
 * off), Object Lock, and the default retention it puts on every new version (null: none).
 */
public record Protection(String versioning, boolean objectLock, Retention.Mode defaultMode, Duration defaultRetention) {
    public boolean versioned() {
        return "Enabled".equalsIgnoreCase(versioning);
    }
}
