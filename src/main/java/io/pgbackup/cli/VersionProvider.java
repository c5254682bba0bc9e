package io.pgbackup.cli;

import io.pgbackup.Version;
import io.pgbackup.pg.PgTools;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the tool's version and the Postgres client programs it would run. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        PgTools tools = new PgTools(System.getenv());
        List<String> lines = new ArrayList<>();
        lines.add("pgbackup " + Version.tool() + " (Java " + Runtime.version() + ")");
        for (String p : List.of("pg_dump", "pg_restore", "psql")) {
            lines.add(tools.version(p)
                    .map(v -> p + " " + v + " (" + tools.find(p).orElseThrow() + ")")
                    .orElse(p + ": not found in " + tools.whereToLook()));
        }
        return lines.toArray(String[]::new);
    }
}
