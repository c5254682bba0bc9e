package io.pgbackup.cli;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.notify.Outcome;
import io.pgbackup.repo.Catalog;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.backup.drill.DrillService;
import io.pgbackup.repo.Selector;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup drill}: restore a backup into a scratch database, check it, report, drop it. */
@Command(name = "drill", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Restore drill: restore a backup into a scratch database, check tables and row counts against "
                + "the manifest (and --check-sql assertions), store a report next to the backup, drop the scratch "
                + "database. Exit 0 only if every check passes.")
final class DrillCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    SelectorOptions backupSelector = new SelectorOptions();

    @Mixin
    TargetOptions target = new TargetOptions();

    @Option(names = "--scratch-db", paramLabel = "NAME", description = "Scratch database name. Default: pgbackup_drill_<stem>.")
    String scratch;

    @Option(names = "--keep", description = "Keep the scratch database afterwards.")
    boolean keep;

    @Option(names = "--check-sql", paramLabel = "FILE",
            description = "SQL assertions, separated by ';': each query must return true. Env: DRILL_CHECK_SQL.")
    Path checkSql;

    @Option(names = "--max-age", paramLabel = "DURATION",
            description = "Fail when the newest backup finished longer ago than this (e.g. 26h). Env: DRILL_MAX_AGE.")
    String maxAge;

    @Option(names = "--tolerance", paramLabel = "FRACTION",
            description = "Only for backups taken before pgbackup counted rows in the dump stream (no exact counts): "
                    + "fail when a table's rows differ from the planner's estimate by more than this. Default: "
                    + "estimates are noted, never checked.")
    Double tolerance;

    @Option(names = "--database", paramLabel = "NAME",
            description = "From a server backup: drill only this database (default: every database).")
    String database;

    @Option(names = "--apply-globals",
            description = "Server backups: apply the globals (roles) to the drill server first. Only for a dedicated "
                    + "drill server, named with --target or RESTORE_PG_URI (roles are created there); refused when "
                    + "that is the source server.")
    boolean applyGlobals;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Selector sel = backupSelector.resolve(root.context().clock());
        java.util.Optional<ConnectionString> named = target.resolve(env);
        if (applyGlobals && named.isEmpty()) {
            throw PgBackupException.config("--apply-globals needs --target or RESTORE_PG_URI naming a dedicated drill "
                    + "server: the globals create roles there, so the drill never falls back to PG_URI for it");
        }
        ConnectionString server = named.or(() -> TargetOptions.source(env)).orElseThrow(() ->
                PgBackupException.config("no server for the drill: set --target or RESTORE_PG_URI (or PG_URI)"));
        Setting age = Setting.resolve(env, "--max-age", maxAge, null, "DRILL_MAX_AGE");
        Duration limit = null;
        if (age.isSet()) {
            try {
                limit = RetentionPolicy.parseDuration(age.value().strip());
            } catch (IllegalArgumentException e) {
                throw PgBackupException.config(age.source() + ": " + e.getMessage());
            }
        }
        Setting sqlFile = Setting.resolve(env, "--check-sql", checkSql == null ? null : checkSql.toString(), null,
                "DRILL_CHECK_SQL");
        List<String> assertions = sqlFile.isSet() ? readChecks(Path.of(sqlFile.value()), sqlFile.source()) : List.of();
        if (tolerance != null && (tolerance < 0 || tolerance > 1)) {
            throw PgBackupException.config("--tolerance must be between 0 and 1; got " + tolerance);
        }
        StoreOptions.Resolved where = store.resolve(env);
        io.pgbackup.pipeline.age.AgeIdentities keys = identity.resolve(env);
        Notifier notifier = notify.resolve(env, root.context().clock());
        Duration maxAgeLimit = limit;
        Reported.run(notifier, Kind.DRILL, "drill", where, Reported.configuredDatabase(env), root.context().cancellation(),
                () -> drill(where, keys, sel, server, env, assertions, maxAgeLimit), o -> o);
        return 0;
    }

    private Outcome drill(StoreOptions.Resolved where, io.pgbackup.pipeline.age.AgeIdentities keys, Selector sel, ConnectionString server, Map<String, String> env,
            List<String> assertions, Duration limit) {
        try (ObjectStore objects = where.open()) {
            List<Manifest> all = new Catalog(objects, where.layout()).all();
            Manifest m = sel.choose(all);
            DrillService service = new DrillService(new ObjectReader(objects, keys), where.layout(), new PgTools(env),
                    root.context().clock(), root.context().cancellation());
            DrillReport report;
            if (m.serverBackup()) {
                if (!assertions.isEmpty() && database == null) {
                    throw PgBackupException.config("--check-sql with a server backup needs --database NAME: the assertions "
                            + "are run in that database");
                }
                if (scratch != null) {
                    throw PgBackupException.config("--scratch-db is for one database; a server drill names one scratch "
                            + "database per database (pgbackup_drill_<stem>_<database>)");
                }
                report = service.drillServer(new DrillService.ServerRequest(m, server, database == null ? null
                        : List.of(database), keep, tolerance, assertions, limit, all.get(0), applyGlobals,
                        TargetOptions.source(env).orElse(null)));
            } else {
                if (applyGlobals) {
                    throw PgBackupException.config("--apply-globals is for server backups (PG_DATABASES); " + m.stem()
                            + " is of one database");
                }
                m = RestoreCommand.oneDatabase(m, database);
                String name = scratch != null ? scratch : DrillService.defaultScratchName(m.stem());
                report = service.drill(new DrillService.Request(m, server, name, keep, tolerance, assertions, limit,
                        all.get(0)));
            }
            spec.commandLine().getOut().println(new String(ManifestCodec.encode(report), StandardCharsets.UTF_8));
            spec.commandLine().getOut().flush();
            if (!report.passed()) {
                throw new PgBackupException(ExitCode.CHECK_FAILED, "drill of " + m.stem() + " failed: "
                        + report.checks().stream().filter(c -> !c.ok()).map(c -> c.name() + " (" + c.detail() + ")")
                                .collect(Collectors.joining("; ")));
            }
            return Outcomes.drill(report, m, root.context().clock().instant());
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, e.getMessage(), e);
        }
    }

    static List<String> readChecks(Path file, String source) {
        try {
            return io.pgbackup.pg.SqlScript.split(Files.readString(file));
        } catch (IOException e) {
            throw PgBackupException.config(source + ": cannot read " + file + ": " + e.getMessage());
        }
    }
}
