package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.jobs.View;
import picocli.CommandLine.Option;

/** Which store a reading command reads ({@code --store copy}), and as of when ({@code --as-of}). */
final class ViewOptions {
    @Option(names = "--store", paramLabel = "primary|copy",
            description = "Read the second store (COPY_S3_BUCKET and its COPY_ settings) instead of the first. "
                    + "Default: primary.")
    String store;

    @Option(names = "--as-of", paramLabel = "DATE[THH:MM[:SS]]",
            description = "Read a versioned bucket as it was then (UTC): backups deleted since, by anyone, are "
                    + "back. Read-only.")
    String asOf;

    View resolve() {
        return new View(copy(store), asOf == null ? null : Dates.instant(asOf, "--as-of", false));
    }

    /** --store without --as-of (status, report, prune work on the store as it is). */
    View storeOnly() {
        if (asOf != null) {
            throw PgBackupException.config("--as-of is for list, restore, verify, drill and download");
        }
        return resolve();
    }

    static boolean copy(String store) {
        if (store == null || store.equalsIgnoreCase("primary")) {
            return false;
        }
        if (store.equalsIgnoreCase("copy")) {
            return true;
        }
        throw PgBackupException.config("--store must be primary or copy; got '" + store + "'");
    }
}
