package io.pgbackup.cli;

import io.pgbackup.jobs.Pick;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The backup a command works on; shared by restore, verify, download and drill. */
final class SelectorOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "BACKUP",
            description = "latest (default), a stem 2026/11/27/03-00-00, a date 2026-11-27 (the last backup of that "
                    + "UTC day) or a date-time 2026-11-27T03:00 (the last one at or before it, UTC).")
    String selector;

    @Option(names = "--label", paramLabel = "TEXT", description = "Choose among backups with this label.")
    String label;

    Pick resolve(java.time.Clock clock) {
        return Pick.of(selector, label, clock);
    }
}
