package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.backup.drill.DrillRequest;
import io.pgbackup.config.Setting;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.DrillJob;
import io.pgbackup.jobs.Pick;
import io.pgbackup.jobs.Site;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.SqlScript;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.Callable;
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
    ViewOptions view = new ViewOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Mixin
    NotifyOptions notify = new NotifyOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        Pick pick = backupSelector.resolve(ctx.clock());
        Optional<ConnectionString> named = target.resolve(env);
        if (applyGlobals && named.isEmpty()) {
            throw PgBackupException.config("--apply-globals needs --target or RESTORE_PG_URI naming a dedicated drill "
                    + "server: the globals create roles there, so the drill never falls back to PG_URI for it");
        }
        ConnectionString server = named.or(() -> ConnectionString.configured(env)).orElseThrow(() ->
                PgBackupException.config("no server for the drill: set --target or RESTORE_PG_URI (or PG_URI)"));
        Duration limit = Setting.resolve(env, "--max-age", maxAge, null, "DRILL_MAX_AGE").asOptionalDuration();
        Setting sqlFile = Setting.resolve(env, "--check-sql", checkSql == null ? null : checkSql.toString(), null,
                "DRILL_CHECK_SQL");
        List<String> assertions = sqlFile.isSet() ? readChecks(Path.of(sqlFile.value()), sqlFile.source()) : List.of();
        if (tolerance != null && (tolerance < 0 || tolerance > 1)) {
            throw PgBackupException.config("--tolerance must be between 0 and 1; got " + tolerance);
        }
        DrillRequest.Options options = DrillRequest.Options.DEFAULT.scratch(scratch, keep)
                .only(database == null ? null : List.of(database))
                .with(new DrillRequest.Checks(tolerance, assertions, limit, null));
        if (applyGlobals) {
            options = options.applyingGlobals(ConnectionString.configured(env).orElse(null));
        }
        Site site = Site.reported(ctx, FlagSet.of(env, store, notify), view.resolve());
        PrintWriter out = spec.commandLine().getOut();
        new DrillJob(site, identity.resolve(env), server).run(pick, options, report -> {
            out.println(new String(ManifestCodec.encode(report), StandardCharsets.UTF_8));
            out.flush();
        });
        return 0;
    }

    static List<String> readChecks(Path file, String source) {
        try {
            return SqlScript.split(Files.readString(file));
        } catch (IOException e) {
            throw PgBackupException.config(source + ": cannot read " + file + ": " + e.getMessage());
        }
    }
}
