package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.pipeline.age.AgeRecipients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.pgbackup.backup.take.BackupFormat;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.backup.take.WholeServer;
import io.pgbackup.config.Setting;
import io.pgbackup.jobs.BackupJob;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pipeline.SqlCompression;
import java.time.Duration;
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

    @Option(names = "--age-recipient", paramLabel = "AGE1...",
            description = "Encrypt every object to this age public key (repeatable; any one of the identities decrypts). "
                    + "Env: AGE_RECIPIENTS (comma, blank or newline separated). Default: not encrypted.")
    List<String> recipients;

    @Option(names = "--age-recipients-file", paramLabel = "FILE",
            description = "Recipients from a file in age's -R format (one age1... per line, # comments). "
                    + "Env: AGE_RECIPIENTS_FILE.")
    Path recipientsFile;

    @Option(names = "--databases", paramLabel = "all|NAME,...",
            description = "Back up several databases of the server and its globals (roles) in one run: all (every "
                    + "database that allows connections, not templates, not 'postgres' unless listed) or a list. "
                    + "Env: PG_DATABASES. Default: the one database of PG_URI.")
    String databases;

    @Option(names = "--exclude-databases", paramLabel = "NAME,...",
            description = "With --databases: leave these out. Env: PG_EXCLUDE_DATABASES.")
    String excludeDatabases;

    @Option(names = "--parallel-databases", paramLabel = "N",
            description = "With --databases: dump N databases at once (1-8). Env: PARALLEL_DATABASES. Default: 1.")
    String parallelDatabases;

    /** PG_DATABASES: null (one database), all, or a list; names as the server spells them (case matters). */
    static WholeServer.Selection selection(Setting dbs, Setting exclude) {
        if (!dbs.isSet()) {
            if (exclude.isSet()) {
                throw PgBackupException.config(exclude.source() + " needs --databases/PG_DATABASES (all or a list)");
            }
            return null;
        }
        List<String> ex = exclude.isSet() ? names(exclude) : List.of();
        String v = dbs.value().strip();
        if (v.equalsIgnoreCase("all") || v.equals("*")) {
            return new WholeServer.Selection(null, ex);
        }
        return new WholeServer.Selection(names(dbs), ex);
    }

    private static List<String> names(Setting s) {
        List<String> out = new ArrayList<>();
        for (String n : s.value().split(",")) {
            String name = n.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (name.length() > 63) {
                throw PgBackupException.config(s.source() + ": '" + name + "' is longer than a database name can be (63 bytes)");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        if (out.isEmpty()) {
            throw PgBackupException.config(s.source() + " lists no database: all, or names separated by commas");
        }
        return out;
    }

    /** The recipients of all settings together (flags replace their variables), or null: not encrypted. */
    AgeRecipients recipients(Map<String, String> env) {
        List<AgeRecipients.Source> sources = new ArrayList<>();
        if (recipients != null && !recipients.isEmpty()) {
            for (String r : recipients) {
                sources.add(new AgeRecipients.Source("--age-recipient", r, false));
            }
        } else if (env.get("AGE_RECIPIENTS") != null && !env.get("AGE_RECIPIENTS").isBlank()) {
            sources.add(new AgeRecipients.Source("AGE_RECIPIENTS", env.get("AGE_RECIPIENTS"), false));
        }
        Setting file = Setting.resolve(env, "--age-recipients-file", recipientsFile == null ? null : recipientsFile.toString(),
                null, "AGE_RECIPIENTS_FILE");
        if (file.isSet()) {
            Path p = Path.of(file.value().strip());
            try {
                sources.add(new AgeRecipients.Source(file.source() + " " + p, Files.readString(p), true));
            } catch (IOException | RuntimeException e) {
                throw PgBackupException.config(file.source() + ": cannot read the recipients file " + p + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        return sources.isEmpty() ? null : AgeRecipients.parse(sources);
    }

    /** The plan of every backup these options take, checked before anything runs. */
    BackupJob.Plan resolve(Map<String, String> env) {
        Setting f = Setting.resolve(env, "--format", format, "both", "BACKUP_FORMAT");
        Setting comp = Setting.resolve(env, "--sql-compression", sqlCompression, "zstd", "SQL_COMPRESSION");
        Setting opts = Setting.resolve(env, "--dump-options", dumpOptions, "", "PG_DUMP_OPTIONS");
        // Still validated (a typo stays an error), then ignored: the counts come from the dump stream now.
        if (Setting.resolve(env, "--count-rows", countRows, "false", "COUNT_ROWS").asBool()) {
            org.slf4j.LoggerFactory.getLogger(BackupOptions.class).info("--count-rows/COUNT_ROWS is no longer needed: "
                    + "every backup counts its rows exactly from the dump stream");
        }
        BackupRequest.Contents what = new BackupRequest.Contents(BackupFormat.parse(f.value(), f.source()),
                SqlCompression.parse(comp.value(), comp.source()), DumpOptions.parse(opts.value(), opts.source()),
                recipients(env));
        return new BackupJob.Plan(what,
                selection(Setting.resolve(env, "--databases", databases, null, "PG_DATABASES"),
                        Setting.resolve(env, "--exclude-databases", excludeDatabases, null, "PG_EXCLUDE_DATABASES")),
                Setting.resolve(env, "--parallel-databases", parallelDatabases, "1", "PARALLEL_DATABASES").asInt(1, 8),
                Duration.ofSeconds(Setting.resolve(env, "--progress-interval", progressInterval, "5", "PROGRESS_INTERVAL")
                        .asPositiveInt()));
    }
}
