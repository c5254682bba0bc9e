package io.pgbackup.cli;

import io.pgbackup.config.Setting;
import io.pgbackup.PgBackupException;
import io.pgbackup.pg.ConnectionString;
import java.util.Map;
import picocli.CommandLine.Option;

/** The source database: {@code --pg-uri}, else PG_URI, DATABASE_URL, then libpq's PG* variables. */
final class DatabaseOptions {
    @Option(names = "--pg-uri", paramLabel = "URI",
            description = "Source database, postgres://user:password@host:5432/db or key=value conninfo; "
                    + "quotes and whitespace around it are removed.%nEnv: PG_URI, then DATABASE_URL, then libpq's "
                    + "PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD. Required.")
    String pgUri;

    ConnectionString resolve(Map<String, String> env) {
        Setting s = Setting.resolve(env, "--pg-uri", pgUri, null, "PG_URI", "DATABASE_URL");
        if (s.isSet()) {
            return ConnectionString.parse(s.value(), s.source());
        }
        return ConnectionString.fromLibpqEnv(env).orElseThrow(() -> PgBackupException.config(
                "no database configured: set PG_URI (or DATABASE_URL, or --pg-uri) to "
                        + "postgres://user:password@host:5432/dbname"));
    }
}
