package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.backup.restore.RestoreFormat;
import io.pgbackup.backup.restore.RestoreRequest;
import io.pgbackup.backup.restore.TocSelection;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.Pick;
import io.pgbackup.jobs.RestoreJob;
import io.pgbackup.jobs.Site;
import io.pgbackup.pg.ConnectionString;

import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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
            description = "Parallel pg_restore jobs; N > 1 downloads the archive to a temporary file first, which needs "
                    + "free disk of the archive's size in --temp-dir (checked before the download). Default: 1 (streamed).")
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

    @Option(names = "--table", paramLabel = "NAME",
            description = "Restore only this table (or view, sequence), with its data, indexes, constraints, triggers, "
                    + "grants and comments; NAME or SCHEMA.NAME, matched exactly as pg_restore -t does. Repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--schema", paramLabel = "NAME",
            description = "Restore only this schema's objects (with --table: only its tables of those names). Repeatable.")
    List<String> schemas = new ArrayList<>();

    @Option(names = "--exclude-table", paramLabel = "NAME",
            description = "Leave this table out of a --schema or --table selection. Repeatable.")
    List<String> excludeTables = new ArrayList<>();

    @Option(names = "--all",
            description = "From a server backup: restore the whole server onto --target (a server without the backup's "
                    + "databases): the globals (roles that exist are kept), then every database with its owner, "
                    + "settings, grants and comments.")
    boolean all;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    ViewOptions view = new ViewOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        Pick pick = backupSelector.resolve(ctx.clock());
        ConnectionString to = target.require(env);
        RestoreFormat restoreFormat = RestoreFormat.parse(format, "--format");
        if (jobs < 1 || jobs > 64) {
            throw PgBackupException.config("--jobs must be between 1 and 64; got " + jobs);
        }
        if (create != null && !create.matches("[A-Za-z_][A-Za-z0-9_$-]{0,62}")) {
            throw PgBackupException.config("--create must be a plain database name (letters, digits, _ and -); got '"
                    + create + "'");
        }
        Site site = Site.of(ctx, FlagSet.of(env, store), view.resolve());
        // Class loading dominates start-up: the driver and the tool probe load on the other core
        // while the store is listed.
        RestoreJob job = RestoreJob.of(site, identity.resolve(env)).warmingUp();
        if (all && (database != null || create != null || clean || restoreFormat != RestoreFormat.CUSTOM
                || singleTransaction || !tables.isEmpty() || !schemas.isEmpty() || !excludeTables.isEmpty())) {
            throw PgBackupException.config("--all restores every database with pg_restore --create: it takes --jobs and "
                    + "--temp-dir, not --database, --create, --clean, --format plain, --single-transaction, --table, "
                    + "--schema or --exclude-table");
        }
        if (!excludeTables.isEmpty() && tables.isEmpty() && schemas.isEmpty()) {
            throw PgBackupException.config("--exclude-table narrows a selection: add --schema NAME (or --table NAME) "
                    + "to say what to restore");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (all) {
            RestoreJob.RestoredServer r = job.all(pick, to, jobs, tempDir);
            r.result().notes().forEach(n -> out.println("note: " + n));
            out.println("restored " + r.backup().stem() + " (" + r.result().databases().size() + " databases: "
                    + String.join(", ", r.result().databases()) + ") onto " + to.redacted());
            return 0;
        }
        RestoreJob.Restored r = job.one(pick, database, to, options(restoreFormat), !force);
        String what = tables.isEmpty() && schemas.isEmpty() ? "" : " " + options(restoreFormat).select().describe();
        out.println("restored " + r.backup().stem() + (r.database() != null ? " (" + r.database() + ")" : "") + what
                + " into " + r.into().redacted());
        return 0;
    }

    private RestoreRequest.Options options(RestoreFormat restoreFormat) {
        RestoreRequest.Options o = RestoreRequest.Options.DEFAULT.with(restoreFormat).parallel(jobs, tempDir);
        if (create != null) {
            o = o.into(RestoreRequest.Into.created(create));
        }
        List<RestoreRequest.Option> switches = new ArrayList<>();
        if (clean) {
            switches.add(RestoreRequest.Option.CLEAN);
        }
        if (noOwner) {
            switches.add(RestoreRequest.Option.NO_OWNER);
        }
        if (noPrivileges) {
            switches.add(RestoreRequest.Option.NO_PRIVILEGES);
        }
        if (singleTransaction) {
            switches.add(RestoreRequest.Option.SINGLE_TRANSACTION);
        }
        return o.with(switches.toArray(RestoreRequest.Option[]::new))
                .selecting(new TocSelection.Filter(tables, schemas, excludeTables));
    }
}
