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
        if (tools.toolsets().isEmpty()) {
            lines.add("pg_dump, pg_restore, psql: not found in " + tools.whereToLook());
        }
        // One line per installed major: backups use the server's own (see README, "PostgreSQL versions").
        for (io.pgbackup.pg.Toolset t : tools.toolsets()) {
            lines.add("PostgreSQL " + t.major() + ": " + tools.version(t, "pg_dump").map(v -> "pg_dump " + v)
                    .orElse("no pg_dump") + " (" + t.dir() + ")");
        }
        return lines.toArray(String[]::new);
    }
}
