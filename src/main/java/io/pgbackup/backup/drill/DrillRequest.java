package io.pgbackup.backup.drill;

import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One drill: a backup, of one database or of a server, restored on {@code server} (a database
 * there, used to create and drop the scratch databases) and checked, with {@link Options} that
 * default to what a scheduled drill does: a default scratch name, every database, the scratch
 * databases dropped, the row counts checked, nothing else.
 */
public record DrillRequest(Manifest backup, ConnectionString server, Options options) {

    public static DrillRequest of(Manifest backup, ConnectionString server) {
        return new DrillRequest(backup, server, Options.DEFAULT);
    }

    public DrillRequest with(Options other) {
        return new DrillRequest(backup, server, other);
    }

    /**
     * What is checked beyond the restore and the tables' rows.
     *
     * @param tolerance for backups without exact counts: the allowed difference from the planner's
     *                  estimates; null notes differences without failing
     * @param sql       queries that must each return true (in the one database drilled)
     * @param maxAge    fail when {@code newest} finished longer ago (null: no alarm)
     */
    public record Checks(Double tolerance, List<String> sql, Duration maxAge, Manifest newest) {
        public static final Checks NONE = new Checks(null, List.of(), null, null);
    }

    /**
     * @param scratchName  one database's scratch database (null: {@code pgbackup_drill_<stem>}); a
     *                     server drill names one per database
     * @param databases    of a server backup, the ones to drill (null: all)
     * @param applyGlobals a server backup's roles are applied to the drill server first: only for a
     *                     dedicated drill server, never {@code source}, the configured source server
     * @param beforeChecks runs on each restored database before it is checked (null: nothing); tests
     *                     use it to make a restore differ from its backup
     */
    public record Options(String scratchName, List<String> databases, boolean keep, Checks checks, boolean applyGlobals,
            ConnectionString source, Consumer<ConnectionString> beforeChecks) {
        public static final Options DEFAULT = new Options(null, null, false, Checks.NONE, false, null, null);

        public Options scratch(String name, boolean keepIt) {
            return new Options(name, databases, keepIt, checks, applyGlobals, source, beforeChecks);
        }

        public Options only(List<String> names) {
            return new Options(scratchName, names, keep, checks, applyGlobals, source, beforeChecks);
        }

        public Options with(Checks other) {
            return new Options(scratchName, databases, keep, other, applyGlobals, source, beforeChecks);
        }

        /** Apply the globals first, on a drill server that is not {@code sourceServer}. */
        public Options applyingGlobals(ConnectionString sourceServer) {
            return new Options(scratchName, databases, keep, checks, true, sourceServer, beforeChecks);
        }

        public Options beforeChecks(Consumer<ConnectionString> hook) {
            return new Options(scratchName, databases, keep, checks, applyGlobals, source, hook);
        }
    }
}
