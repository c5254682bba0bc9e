package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Catalog;
import io.pgbackup.backup.RestoreRequest;
import io.pgbackup.backup.RestoreService;
import io.pgbackup.repo.Selector;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup restore}: a chosen backup into a target database. */
@Command(name = "restore", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Restore a backup into --target / RESTORE_PG_URI: the custom archive streamed into pg_restore "
                + "(default), or the SQL script through psql (--format plain).")
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    SelectorOptions backupSelector = new SelectorOptions();

    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--format", paramLabel = "custom|plain", defaultValue = "custom",
            description = "Restore from the custom archive (pg_restore) or the SQL script (psql). Default: custom.")
    String format;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
            description = "Parallel pg_restore jobs; N > 1 downloads the archive to a temporary file first. Default: 1.")
    int jobs;

    @Option(names = "--temp-dir", paramLabel = "DIR", description = "Where --jobs puts the archive. Default: the system temp dir.")
    Path tempDir;

    @Option(names = "--clean", description = "Drop the backup's objects in a non-empty target before recreating them.")
    boolean clean;

    @Option(names = "--create", paramLabel = "NAME", description = "Create database NAME on the target server and restore into it.")
    String create;

    @Option(names = "--no-owner", description = "Do not restore object ownership.")
    boolean noOwner;

    @Option(names = "--no-privileges", description = "Do not restore privileges (GRANT/REVOKE).")
    boolean noPrivileges;

    @Option(names = "--single-transaction", description = "Restore in one transaction (all or nothing).")
    boolean singleTransaction;

    @Option(names = "--force", description = "Allow restoring over the source database (PG_URI).")
    boolean force;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Selector sel = backupSelector.resolve();
        ConnectionString to = target.require(env);
        if (!format.equals("custom") && !format.equals("plain")) {
            throw PgBackupException.config("--format must be custom or plain; got '" + format + "'");
        }
        if (jobs < 1 || jobs > 64) {
            throw PgBackupException.config("--jobs must be between 1 and 64; got " + jobs);
        }
        if (create != null && !create.matches("[A-Za-z_][A-Za-z0-9_$-]{0,62}")) {
            throw PgBackupException.config("--create must be a plain database name (letters, digits, _ and -); got '"
                    + create + "'");
        }
        StoreOptions.Resolved where = store.resolve(env);
        PgTools tools = new PgTools(env);
        // Class loading dominates start-up: the driver and the tool probe load on the other core
        // while the store is listed.
        Warmup.inBackground("jdbc", () -> {
            Database.preload();
            tools.version("custom".equals(format) ? "pg_restore" : "psql");
        });
        try (ObjectStore objects = where.open()) {
            Manifest m = sel.choose(new Catalog(objects, where.layout()).all());
            ConnectionString into = new RestoreService(new ObjectReader(objects), tools, root.context().cancellation()).restore(new RestoreRequest(m, to,
                    TargetOptions.source(env).orElse(null), format, jobs, clean, noOwner, noPrivileges,
                    singleTransaction, create, force, tempDir));
            spec.commandLine().getOut().println("restored " + m.stem() + " into " + into.redacted());
        }
        return 0;
    }
}
