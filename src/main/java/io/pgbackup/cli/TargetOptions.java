package io.pgbackup.cli;

import io.pgbackup.config.Setting;
import io.pgbackup.PgBackupException;
import io.pgbackup.pg.ConnectionString;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The database a restore or drill writes to: {@code --target}, else RESTORE_PG_URI. */
final class TargetOptions {
    @Option(names = "--target", paramLabel = "URI",
            description = "Target database (cleaned and redacted like PG_URI). Env: RESTORE_PG_URI.")
    String target;

    Optional<ConnectionString> resolve(Map<String, String> env) {
        Setting s = Setting.resolve(env, "--target", target, null, "RESTORE_PG_URI");
        return s.isSet() ? Optional.of(ConnectionString.parse(s.value(), s.source())) : Optional.empty();
    }

    ConnectionString require(Map<String, String> env) {
        return resolve(env).orElseThrow(() -> PgBackupException.config(
                "no restore target: set --target or RESTORE_PG_URI to postgres://user:password@host:5432/dbname"));
    }
}
