package io.pgbackup.cli;

import io.pgbackup.backup.BackupFormat;
import io.pgbackup.backup.BackupRequest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pipeline.SqlCompression;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a backup is taken; shared by backup, tick and schedule. */
final class BackupOptions {
    @Option(names = "--format", paramLabel = "both|custom|plain",
            description = "What to store. Env: BACKUP_FORMAT. Default: both.")
    String format;

    @Option(names = "--sql-compression", paramLabel = "zstd|gzip|none",
            description = "Compression of the plain SQL script. Env: SQL_COMPRESSION. Default: zstd.")
    String sqlCompression;

    @Option(names = "--dump-options", paramLabel = "OPTIONS",
            description = "pg_dump selection options, e.g. \"--schema=app --exclude-table-data=audit.*\". "
                    + "Env: PG_DUMP_OPTIONS. Default: none.")
    String dumpOptions;

    @Option(names = "--count-rows", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "No longer needed (accepted and ignored): every backup counts each table's rows exactly "
                    + "from the dump stream. Env: COUNT_ROWS.")
    String countRows;

    @Option(names = "--progress-interval", paramLabel = "SECONDS",
            description = "Seconds between progress lines. Env: PROGRESS_INTERVAL. Default: 5.")
    String progressInterval;

    /** A validated template; {@link Resolved#request} fills in what differs per run. */
    record Resolved(BackupFormat format, SqlCompression compression, DumpOptions dumpOptions, Duration progressEvery) {
        BackupRequest request(ConnectionString source, String label, String trigger, Instant slot) {
            return new BackupRequest(source, format, compression, label, trigger, slot, dumpOptions);
        }
    }

    Resolved resolve(Map<String, String> env) {
        Setting f = Setting.resolve(env, "--format", format, "both", "BACKUP_FORMAT");
        Setting comp = Setting.resolve(env, "--sql-compression", sqlCompression, "zstd", "SQL_COMPRESSION");
        Setting opts = Setting.resolve(env, "--dump-options", dumpOptions, "", "PG_DUMP_OPTIONS");
        // Still validated (a typo stays an error), then ignored: the counts come from the dump stream now.
        if (Flags.bool(Setting.resolve(env, "--count-rows", countRows, "false", "COUNT_ROWS"))) {
            org.slf4j.LoggerFactory.getLogger(BackupOptions.class).info("--count-rows/COUNT_ROWS is no longer needed: "
                    + "every backup counts its rows exactly from the dump stream");
        }
        return new Resolved(BackupFormat.parse(f.value(), f.source()), SqlCompression.parse(comp.value(), comp.source()),
                DumpOptions.parse(opts.value(), opts.source()),
                Duration.ofSeconds(Flags.positiveInt(
                        Setting.resolve(env, "--progress-interval", progressInterval, "5", "PROGRESS_INTERVAL"))));
    }
}
