package io.pgbackup.cli;

import io.pgbackup.backup.BackupFormat;
import io.pgbackup.backup.BackupRequest;
import io.pgbackup.backup.BackupService;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.storage.ObjectStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup backup}: one backup now. */
@Command(name = "backup", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Run pg_dump once and store a custom-format archive and a compressed SQL script, "
                + "then the manifest.")
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--format", paramLabel = "both|custom|plain",
            description = "What to store. Env: BACKUP_FORMAT. Default: both.")
    String format;

    @Option(names = "--sql-compression", paramLabel = "zstd|gzip|none",
            description = "Compression of the plain SQL script. Env: SQL_COMPRESSION. Default: zstd.")
    String sqlCompression;

    @Option(names = "--label", paramLabel = "TEXT",
            description = "Label for an ad hoc backup (kept by prune unless --include-labelled). Env: BACKUP_LABEL.")
    String label;

    @Option(names = "--dump-options", paramLabel = "OPTIONS",
            description = "pg_dump selection options, e.g. \"--schema=app --exclude-table-data=audit.*\". "
                    + "Env: PG_DUMP_OPTIONS. Default: none.")
    String dumpOptions;

    @Option(names = "--count-rows", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "Count every table's rows exactly into the manifest (reads each table once more). "
                    + "Env: COUNT_ROWS. Default: false.")
    String countRows;

    @Option(names = "--progress-interval", paramLabel = "SECONDS",
            description = "Seconds between progress lines. Env: PROGRESS_INTERVAL. Default: 5.")
    String progressInterval;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        // Validate everything before the first byte moves.
        ConnectionString source = database.resolve(env);
        BackupFormat fmt = BackupFormat.parse(Setting.resolve(env, "--format", format, "both", "BACKUP_FORMAT").value(),
                Setting.resolve(env, "--format", format, "both", "BACKUP_FORMAT").source());
        Setting comp = Setting.resolve(env, "--sql-compression", sqlCompression, "zstd", "SQL_COMPRESSION");
        SqlCompression sqlComp = SqlCompression.parse(comp.value(), comp.source());
        Setting opts = Setting.resolve(env, "--dump-options", dumpOptions, "", "PG_DUMP_OPTIONS");
        DumpOptions dumpOpts = DumpOptions.parse(opts.value(), opts.source());
        boolean count = Flags.bool(Setting.resolve(env, "--count-rows", countRows, "false", "COUNT_ROWS"));
        Duration every = Duration.ofSeconds(Flags.positiveInt(
                Setting.resolve(env, "--progress-interval", progressInterval, "5", "PROGRESS_INTERVAL")));
        Setting lbl = Setting.resolve(env, "--label", label, null, "BACKUP_LABEL");
        String labelText = lbl.isSet() ? Flags.label(lbl) : null;
        StoreOptions.Resolved where = store.resolve(env);

        try (ObjectStore objects = where.open()) {
            BackupService service = new BackupService(objects, where.layout(), new PgTools(env), ctx.clock(),
                    ctx.cancellation(), every);
            Manifest m = service.backup(new BackupRequest(source, fmt, sqlComp, labelText, BackupRequest.ADHOC, null,
                    dumpOpts, count));
            spec.commandLine().getOut().println(where.layout().manifestKey(m.stem()));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
