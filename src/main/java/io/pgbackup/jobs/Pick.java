package io.pgbackup.jobs;

import io.pgbackup.manifest.Manifest;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.Selector;
import java.time.Clock;
import java.util.List;

/**
 * Which backup a command works on: latest, a stem, a date or a date-time, optionally with a label
 * (see {@link Selector}). Parsed when made, so a bad selector is exit 2 before the store is opened.
 */
public final class Pick {
    private final Selector selector;

    private Pick(Selector selector) {
        this.selector = selector;
    }

    public static Pick of(String text, String label, Clock clock) {
        return new Pick(Selector.parse(text, label, clock));
    }

    /** The label asked for, or null. */
    public String label() {
        return selector.label();
    }

    Manifest from(Catalog catalog) {
        return selector.choose(catalog.all());
    }

    Manifest from(List<Manifest> newestFirst) {
        return selector.choose(newestFirst);
    }
}
