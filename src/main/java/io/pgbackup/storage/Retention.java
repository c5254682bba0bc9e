package io.pgbackup.storage;

import java.time.Instant;
import java.util.Locale;

/**
 * S3 Object Lock on a stored version: until {@code until} nobody may delete or overwrite it, in
 * {@link Mode#GOVERNANCE} not even with delete rights (only with the separate right to bypass
 * governance), in {@link Mode#COMPLIANCE} nobody at all, the account's root included.
 */
public record Retention(Mode mode, Instant until) {
    public enum Mode {
        GOVERNANCE, COMPLIANCE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether the version is still protected at {@code now}. */
    public boolean holdsAt(Instant now) {
        return until.isAfter(now);
    }
}
