package io.pgbackup.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The local Postgres client programs, run by tests to check what pgbackup produced. */
public final class HostTools {
    private HostTools() {}

    public record Run(int code, String out, String err) {}

    /** Runs {@code cmd} with the test user's password in its environment, feeding it {@code stdin}. */
    public static Run run(PgServer pg, InputStream stdin, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PGPASSWORD", PgServer.PASSWORD);
        pb.environment().put("PGHOST", pg.host());
        pb.environment().put("PGPORT", String.valueOf(pg.port()));
        pb.environment().put("PGUSER", PgServer.USER);
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread e = new Thread(() -> Cli.copy(p.getErrorStream(), err));
        e.start();
        Thread feeder = new Thread(() -> {
            try (OutputStream o = p.getOutputStream()) {
                if (stdin != null) {
                    stdin.transferTo(o);
                }
            } catch (IOException ignored) {
                // the process exited early; its code says why
            }
        });
        feeder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        feeder.join();
        e.join();
        return new Run(code, out, err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A canonical dump of schema and data for comparing two databases: plain pg_dump output
     * without comments and blank lines (which carry versions and timestamps).
     */
    public static String canonicalDump(PgServer pg, String db) throws Exception {
        Run r = run(pg, null, "pg_dump", "--no-password", "--dbname=" + db);
        if (r.code() != 0) {
            throw new AssertionError("pg_dump of " + db + " failed: " + r.err());
        }
        List<String> lines = new ArrayList<>();
        for (String l : r.out().split("\n")) {
            // pg_dump 15.14+ wraps scripts in restrict/unrestrict meta-commands with a random key per run.
            // The container rig's Debian-built servers tag every column with a per-database
            // pg_attver option; it is not part of what a backup must reproduce.
            if (!l.startsWith("--") && !l.isBlank() && !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict")
                    && !l.matches("ALTER TABLE ONLY .+ ALTER COLUMN .+ SET \\(pg_attver=\\d+\\);")) {
                lines.add(l);
            }
        }
        return lines.stream().collect(Collectors.joining("\n"));
    }
}
