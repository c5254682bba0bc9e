package io.pgbackup.health;

/** A check's outcome; the worst one is the status's. */
public enum Verdict {
    OK,
    WARN,
    FAIL
}
