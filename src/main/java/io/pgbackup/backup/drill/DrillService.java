package io.pgbackup.backup.drill;

import io.pgbackup.backup.restore.RestoreRequest;
import io.pgbackup.backup.restore.RestoreService;
import io.pgbackup.backup.restore.ServerRestoreService;
import io.pgbackup.backup.restore.Globals;

import io.pgbackup.manifest.DrillReport;
import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerIdentity;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pipeline.age.AgeRecipients;
import io.pgbackup.pipeline.age.AgeStage;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore drill: restore a backup into a scratch database, check it against its manifest
 * (and the operator's SQL assertions), store a report, and drop the scratch database, always,
 * unless asked to keep it.
 */
public final class DrillService {
    private static final Logger log = LoggerFactory.getLogger(DrillService.class);
    private final ObjectReader reader;
    private final ObjectStore store;
    private final KeyLayout layout;
    private final PgTools tools;
    private final Clock clock;
    private final Cancellation cancellation;

    public DrillService(ObjectReader reader, KeyLayout layout, PgTools tools, Clock clock, Cancellation cancellation) {
        this.reader = reader;
        this.store = reader.store();
        this.layout = layout;
        this.tools = tools;
        this.clock = clock;
        this.cancellation = cancellation;
    }

    /** One database's drill, as {@link #run} takes it (a server drill runs one per database). */
    private record One(Manifest backup, ConnectionString server, String scratchName, boolean keep,
            DrillRequest.Checks checks, java.util.function.Consumer<ConnectionString> beforeChecks) {}

    public static String defaultScratchName(String stem) {
        // 2026/11/27/03-00-00-2 -> pgbackup_drill_20261127_030000_2
        return "pgbackup_drill_" + stem.replaceFirst("^(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})-(\\d{2})-(\\d{2})", "$1$2$3_$4$5$6")
                .replace("-", "_");
    }

    /**
     * Drills a backup of one database or of a server (every database, or those chosen), stores
     * the report next to it and returns it; the caller decides what a failed check means.
     */
    public DrillReport drill(DrillRequest req) {
        return req.backup().serverBackup() ? drillServer(req) : drillOne(req);
    }

    private DrillReport drillOne(DrillRequest req) {
        DrillRequest.Options o = req.options();
        if (o.applyGlobals()) {
            throw PgBackupException.config("--apply-globals is for server backups (PG_DATABASES); " + req.backup().stem()
                    + " is of one database");
        }
        Manifest full = complete(o.databases() == null ? req.backup()
                : RestoreService.oneDatabase(req.backup(), o.databases().get(0)));
        String scratch = o.scratchName() != null ? o.scratchName() : defaultScratchName(full.stem());
        DrillReport report = run(new One(full, req.server(), scratch, o.keep(), o.checks(), o.beforeChecks()));
        store(report, full);
        return report;
    }

    /** An encrypted backup keeps its tables and row counts in its encrypted catalog: read them back. */
    private Manifest complete(Manifest m) {
        try {
            return reader.complete(m);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot read the catalog of " + m.stem() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A drill of a server backup: every database (or those chosen) restored into its own
     * scratch database and checked as a one-database drill is, plus a check that the globals
     * decompress (and decrypt) and parse; with {@code applyGlobals} (a dedicated drill server
     * only) they are applied to the server first. One report, checks named by database.
     */
    private DrillReport drillServer(DrillRequest req) {
        DrillRequest.Options o = req.options();
        if (o.checks().sql() != null && !o.checks().sql().isEmpty() && (o.databases() == null || o.databases().size() != 1)) {
            throw PgBackupException.config("--check-sql with a server backup needs --database NAME: the assertions "
                    + "are run in that database");
        }
        if (o.scratchName() != null) {
            throw PgBackupException.config("--scratch-db is for one database; a server drill names one scratch "
                    + "database per database (pgbackup_drill_<stem>_<database>)");
        }
        if (o.applyGlobals()) {
            requireDedicated(req.server(), o.source());
        }
        Manifest full = complete(req.backup());
        Instant start = clock.instant();
        long t0 = System.nanoTime();
        List<DrillReport.Check> checks = new ArrayList<>();
        maxAge(o.checks(), start).ifPresent(checks::add);
        List<String> statements = null;
        try {
            statements = Globals.statements(ServerRestoreService.readGlobals(reader, full));
            int roles = Globals.roles(statements).size();
            checks.add(new DrillReport.Check("globals", roles > 0, statements.size() + " statements, " + roles
                    + " roles" + (full.server().globalsNote() == null ? "" : "; " + full.server().globalsNote())));
        } catch (PgBackupException e) {
            if (e.exitCode() == ExitCode.STORAGE || e.exitCode() == ExitCode.KEY_REQUIRED) {
                throw e;
            }
            checks.add(new DrillReport.Check("globals", false, e.getMessage()));
        }
        if (o.applyGlobals() && statements != null) {
            try (java.sql.Connection c = new Database(req.server(), "drill").connect()) {
                List<String> notes = Globals.apply(c, statements);
                checks.add(new DrillReport.Check("globals-applied", true, notes.isEmpty() ? "applied"
                        : "applied; " + String.join("; ", notes)));
            } catch (SQLException e) {
                throw new PgBackupException(ExitCode.DATABASE, "drill server: " + Database.firstLine(e.getMessage()), e);
            } catch (PgBackupException e) {
                if (e.exitCode() == ExitCode.DATABASE) {
                    throw e;
                }
                checks.add(new DrillReport.Check("globals-applied", false, e.getMessage()));
            }
        }
        long restoreMs = 0;
        long checksMs = 0;
        List<String> names = o.databases() == null ? full.databaseNames() : o.databases();
        for (String name : names) {
            cancellation.check("during the drill of the databases");
            Manifest one;
            try {
                one = full.forDatabase(name);
            } catch (IllegalArgumentException e) {
                throw new PgBackupException(ExitCode.NOT_FOUND, e.getMessage());
            }
            DrillReport r = run(new One(one, req.server(), scratchName(full.stem(), name), o.keep(),
                    new DrillRequest.Checks(o.checks().tolerance(), o.checks().sql(), null, null), o.beforeChecks()));
            restoreMs += r.restoreMillis();
            checksMs += r.checksMillis();
            for (DrillReport.Check c : r.checks()) {
                checks.add(new DrillReport.Check(name + ": " + c.name(), c.ok(), c.detail()));
            }
        }
        boolean passed = checks.stream().allMatch(DrillReport.Check::ok);
        DrillReport report = new DrillReport(full.stem(), full.startedAt(), req.server().redacted(),
                scratchName(full.stem(), "*"), o.keep(), start, restoreMs, checksMs, (System.nanoTime() - t0) / 1_000_000,
                checks, passed);
        store(report, full);
        return report;
    }

    /** The alarm for a backup job that silently stopped: the newest backup older than {@code maxAge}. */
    private static java.util.Optional<DrillReport.Check> maxAge(DrillRequest.Checks c, Instant now) {
        Duration maxAge = c.maxAge();
        Manifest newest = c.newest();
        if (maxAge == null || newest == null) {
            return java.util.Optional.empty();
        }
        Duration age = Duration.between(newest.finishedAt(), now);
        return java.util.Optional.of(new DrillReport.Check("max-age", age.compareTo(maxAge) <= 0, "newest backup "
                + newest.stem() + " finished " + age.toMinutes() + " min ago (limit " + maxAge.toMinutes() + " min)"));
    }

    /** A server drill's scratch database for {@code database}: at most 63 bytes, unique per database. */
    static String scratchName(String stem, String database) {
        String base = defaultScratchName(stem) + "_";
        if (database.equals("*")) {
            return base + "*"; // the report's name for all of a run's scratch databases
        }
        String safe = database.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (safe.equals(database) && base.length() + safe.length() <= 63) {
            return base + safe;
        }
        // A name that had to change ("My DB" and "my_db" would share a scratch database) or is too
        // long for Postgres gets the hash of the real name.
        String hash = "_" + Integer.toHexString(database.hashCode());
        return base + safe.substring(0, Math.min(safe.length(), 63 - base.length() - hash.length())) + hash;
    }

    private DrillReport run(One req) {
        Instant start = clock.instant();
        long t0 = System.nanoTime();
        List<DrillReport.Check> checks = new ArrayList<>();
        maxAge(req.checks(), start).ifPresent(checks::add);
        ConnectionString scratch = req.server().with("dbname", req.scratchName());
        long restoreMs = 0;
        long checksMs = 0;
        createScratch(req.server(), req.scratchName());
        try {
            long r0 = System.nanoTime();
            boolean restored = restore(req, scratch, checks);
            restoreMs = (System.nanoTime() - r0) / 1_000_000;
            long c0 = System.nanoTime();
            if (restored) {
                checkDatabase(req, scratch, checks);
            }
            checksMs = (System.nanoTime() - c0) / 1_000_000;
        } finally {
            if (!req.keep()) {
                dropScratch(req.server(), req.scratchName());
            }
        }
        boolean passed = checks.stream().allMatch(DrillReport.Check::ok);
        DrillReport report = new DrillReport(req.backup().stem(), req.backup().startedAt(), req.server().redacted(),
                req.scratchName(), req.keep(), start, restoreMs, checksMs, (System.nanoTime() - t0) / 1_000_000,
                checks, passed);
        return report;
    }

    private boolean restore(One req, ConnectionString scratch, List<DrillReport.Check> checks) {
        try {
            new RestoreService(reader, tools, cancellation).restore(RestoreRequest.of(req.backup(), scratch));
            checks.add(new DrillReport.Check("restore", true, "restored with no error (every statement must succeed)"));
            return true;
        } catch (PgBackupException e) {
            if (e.exitCode() == ExitCode.INTERRUPTED || e.exitCode() == ExitCode.STORAGE
                    || e.exitCode() == ExitCode.KEY_REQUIRED) {
                throw e; // the store failing (or a missing key) says nothing about the backup: no verdict, no report
            }
            checks.add(new DrillReport.Check("restore", false, e.getMessage()));
            return false;
        }
    }

    private void checkDatabase(One req, ConnectionString scratch, List<DrillReport.Check> checks) {
        if (req.beforeChecks() != null) {
            req.beforeChecks().accept(scratch);
        }
        Manifest m = req.backup();
        try (Connection c = new Database(scratch, "scratch").connect()) {
            // Backups that counted their dump stream counted each table's own rows: compare with ONLY.
            // Older ones counted with --count-rows, children included.
            boolean only = m.exactRowCounts();
            java.util.Map<String, Long> restored = new java.util.HashMap<>();
            java.util.Set<String> present = new java.util.HashSet<>();
            for (io.pgbackup.pg.TableInfo t : ServerInfo.tables(c)) {
                present.add(t.schema() + "." + t.name());
            }
            for (Manifest.Table t : m.tables()) {
                if (present.contains(t.qualified())) {
                    cancellation.check("during the drill's checks");
                    restored.put(t.qualified(), t.data() != null && only ? 0L
                            : ServerInfo.count(c, t.schema(), t.name(), only));
                }
            }
            Long largeObjects = m.rows() != null ? ServerInfo.largeObjects(c) : null;
            checks.addAll(RowCheck.checks(m, restored, req.checks().tolerance(), largeObjects));
            int i = 0;
            for (String sql : req.checks().sql()) {
                i++;
                checks.add(userCheck(c, i, sql));
            }
        } catch (SQLException e) {
            checks.add(new DrillReport.Check("tables", false, "cannot inspect the restored database: " + e.getMessage()));
        }
    }

    private static DrillReport.Check userCheck(Connection c, int i, String sql) {
        String name = "sql-" + i;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            boolean ok = rs.next() && rs.getBoolean(1) && !rs.wasNull();
            return new DrillReport.Check(name, ok, sql + (ok ? " is true" : " is not true"));
        } catch (SQLException e) {
            return new DrillReport.Check(name, false, sql + " failed: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static void createScratch(ConnectionString server, String name) {
        try {
            new Database(server, "drill").createDatabase(name);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot create the scratch database " + name + " on "
                    + server.redacted() + ": " + e.getMessage().lines().findFirst().orElse("")
                    + " (drop a leftover with DROP DATABASE, or pass --scratch-db NAME)", e);
        }
    }

    private static void dropScratch(ConnectionString server, String name) {
        try {
            new Database(server, "drill").dropDatabase(name);
        } catch (SQLException | PgBackupException e) {
            log.error("could not drop the scratch database {}: {}", name, e.getMessage());
        }
    }

    /**
     * Stores the report next to the backup. For an encrypted backup the details (they name tables
     * and count rows) go into {@code .json.age}, encrypted to the backup's recipients; the
     * readable {@code .json} keeps the verdict of each check for status and the report page.
     */
    private void store(DrillReport report, Manifest backup) {
        String key = layout.drillReportKey(report.backup(), report.startedAt());
        try {
            DrillReport readable = report;
            if (backup.encrypted()) {
                String sealedKey = layout.encryptedDrillReportKey(report.backup(), report.startedAt());
                AgeRecipients to = AgeRecipients.parse(List.of(new AgeRecipients.Source("the manifest's recipients",
                        String.join("\n", backup.encryption().recipients()), true)));
                store.put(sealedKey, new ByteArrayInputStream(new AgeStage(to).encrypt(ManifestCodec.encode(report))));
                readable = redacted(report, sealedKey);
            }
            store.put(key, new ByteArrayInputStream(ManifestCodec.encode(readable)));
        } catch (IOException | PgBackupException e) {
            log.warn("could not store the drill report {}: {}", key, e.getMessage());
        }
    }

    /** The report without what would name tables or count rows: each check's name and verdict. */
    static DrillReport redacted(DrillReport r, String sealedKey) {
        List<DrillReport.Check> checks = r.checks().stream().map(c -> new DrillReport.Check(c.name(), c.ok(),
                (c.ok() ? "passed" : "FAILED") + " (details encrypted in " + sealedKey.substring(sealedKey.lastIndexOf('/') + 1)
                        + ")")).toList();
        return new DrillReport(r.backup(), r.backupStartedAt(), r.target(), r.scratchDatabase(), r.kept(), r.startedAt(),
                r.restoreMillis(), r.checksMillis(), r.totalMillis(), checks, r.passed());
    }

    /**
     * Globals create and alter roles server-wide: they go only to a server that is not the source.
     * Compared by what the servers say they are ({@link ServerIdentity}), so another address of the
     * same server (localhost, a DNS alias) is recognised; an unreachable source is compared by host
     * and port.
     */
    static void requireDedicated(ConnectionString drill, ConnectionString source) {
        if (source == null) {
            return;
        }
        ServerIdentity target;
        try (java.sql.Connection c = new Database(drill, "drill").connect()) {
            target = ServerIdentity.of(c);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "drill server: " + Database.firstLine(e.getMessage()), e);
        }
        boolean same;
        try (java.sql.Connection c = new Database(source, "source").connect()) {
            same = ServerIdentity.of(c).cluster().equals(target.cluster());
        } catch (SQLException | PgBackupException e) {
            same = drill.get("host").equals(source.get("host")) && drill.get("port").equals(source.get("port"));
        }
        if (same) {
            throw PgBackupException.config("--apply-globals: the drill server " + drill.redacted() + " is the source server "
                    + "(PG_URI): globals (roles) are applied only to a dedicated drill server; name one with --target");
        }
    }
}
