package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Catalog;
import io.pgbackup.backup.restore.RestoreRequest;
import io.pgbackup.backup.restore.RestoreService;
import io.pgbackup.backup.restore.ServerRestoreService;
import io.pgbackup.ExitCode;
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

    @Option(names = "--database", paramLabel = "NAME",
            description = "From a server backup (PG_DATABASES): restore this one database into --target.")
    String database;

    @Option(names = "--all",
            description = "From a server backup: restore the whole server onto --target (a server without the backup's "
                    + "databases): the globals (roles that exist are kept), then every database with its owner, "
                    + "settings, grants and comments.")
    boolean all;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Selector sel = backupSelector.resolve(root.context().clock());
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
        io.pgbackup.pipeline.age.AgeIdentities keys = identity.resolve(env);
        PgTools tools = new PgTools(env);
        // Class loading dominates start-up: the driver and the tool probe load on the other core
        // while the store is listed.
        Warmup.inBackground("jdbc", () -> {
            Database.preload();
            tools.toolsets();
        });
        if (all && (database != null || create != null || clean || !format.equals("custom") || singleTransaction)) {
            throw PgBackupException.config("--all restores every database with pg_restore --create: it takes --jobs and "
                    + "--temp-dir, not --database, --create, --clean, --format plain or --single-transaction");
        }
        try (ObjectStore objects = where.open()) {
            Manifest m = sel.choose(new Catalog(objects, where.layout()).all());
            ObjectReader reader = new ObjectReader(objects, keys);
            if (all) {
                ServerRestoreService.Result r = new ServerRestoreService(reader, tools, root.context().cancellation())
                        .restore(new ServerRestoreService.Request(m, to, jobs, tempDir));
                r.notes().forEach(n -> spec.commandLine().getOut().println("note: " + n));
                spec.commandLine().getOut().println("restored " + m.stem() + " (" + r.databases().size() + " databases: "
                        + String.join(", ", r.databases()) + ") onto " + to.redacted());
                return 0;
            }
            boolean fromServer = m.serverBackup();
            m = oneDatabase(m, database);
            // The source to protect is that database on the source server, not PG_URI's maintenance database.
            ConnectionString protect = TargetOptions.source(env)
                    .map(src -> fromServer ? src.with("dbname", database) : src).orElse(null);
            ConnectionString into = new RestoreService(reader, tools, root.context().cancellation()).restore(new RestoreRequest(m, to,
                    protect, format, jobs, clean, noOwner, noPrivileges,
                    singleTransaction, create, force, tempDir));
            spec.commandLine().getOut().println("restored " + m.stem() + (fromServer ? " (" + database + ")" : "") + " into "
                    + into.redacted());
        }
        return 0;
    }

    /** The one database to restore: a server backup needs --database (or --all). */
    static Manifest oneDatabase(Manifest m, String database) {
        if (database == null) {
            if (m.serverBackup()) {
                throw PgBackupException.config("backup " + m.stem() + " is a server backup of " + m.databaseNames().size()
                        + " databases (" + String.join(", ", m.databaseNames()) + "): choose one with --database NAME, or "
                        + "restore them all onto a server with --all");
            }
            return m;
        }
        try {
            return m.forDatabase(database);
        } catch (IllegalArgumentException e) {
            throw new PgBackupException(ExitCode.NOT_FOUND, e.getMessage());
        }
    }
}
