package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ProcessId;
import io.pgbackup.Version;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pg.StandbySnapshot;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.pipeline.CompressionStage;
import io.pgbackup.pipeline.RowCountingStage;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.pipeline.Stage;
import io.pgbackup.pipeline.age.AgeStage;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.repo.StemClaim;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server backup: several databases and the globals (roles, memberships, role settings,
 * tablespaces) in one run, one stem and one manifest, written last. Each database is dumped as a
 * one-database backup is (both formats, exact row counts, its own snapshot: databases are not
 * consistent with each other), {@code parallel} at a time. The first failure stops the others;
 * then nothing of the run remains and the message names the database.
 */
public final class ServerBackupService {
    private static final Logger log = LoggerFactory.getLogger(ServerBackupService.class);
    /** The database the connection goes to when none is listed: never backed up unless listed. */
    public static final String MAINTENANCE = "postgres";
    private final ObjectStore store;
    private final KeyLayout layout;
    private final PgTools tools;
    private final Clock clock;
    private final Cancellation cancellation;
    private final Duration progressEvery;

    public ServerBackupService(ObjectStore store, KeyLayout layout, PgTools tools, Clock clock, Cancellation cancellation,
            Duration progressEvery) {
        this.store = store;
        this.layout = layout;
        this.tools = tools;
        this.clock = clock;
        this.cancellation = cancellation;
        this.progressEvery = progressEvery;
    }

    /**
     * Which databases: {@code include} null means all that allow connections (not templates, not
     * the maintenance database unless listed); {@code exclude} removes names from either.
     */
    public record Selection(List<String> include, List<String> exclude) {
        public boolean all() {
            return include == null;
        }
    }

    /**
     * One server backup to take. {@code template} carries what a one-database backup would (format,
     * compression, label, trigger, slot, dump options, recipients); its source is the server
     * connection ({@code PG_URI}), whose database is only where pgbackup connects first.
     */
    public record Request(BackupRequest template, Selection selection, int parallel) {}

    /** A database to dump and what the server says about it. */
    public record Planned(String name, ServerInfo info) {}

    /** What is checked before anything is written; see {@link #preflight}. */
    public record Preflight(BackupService.Preflight tools, Path pgDumpall, ToolVersion serverVersion, boolean superuser,
            List<Planned> databases, List<Manifest.Skipped> skipped) {}

    /**
     * Checks tools and versions, lists the server's databases and picks them, and reads each
     * one's size and tables. A listed database that does not exist or refuses connections is
     * exit 2, naming it and what the server has; a server newer than pg_dump exit 4.
     */
    public static Preflight preflight(Request req, PgTools tools) {
        BackupRequest t = req.template();
        BackupService.Preflight base = BackupService.preflight(t, tools);
        Path pgDumpall = tools.require(base.tools(), "pg_dumpall");
        List<Manifest.Skipped> skipped = new ArrayList<>();
        List<String> chosen = new ArrayList<>();
        boolean superuser;
        try (Connection c = new Database(t.source(), "source").connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
                superuser = rs.next() && rs.getBoolean(1);
            }
            Map<String, String> refusal = new LinkedHashMap<>(); // name -> why it cannot be backed up (null: it can)
            try (ResultSet rs = st.executeQuery("select datname, datallowconn, datistemplate, "
                    + "has_database_privilege(datname, 'CONNECT') from pg_database order by datname")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String why = rs.getBoolean(3) ? "a template database"
                            : !rs.getBoolean(2) ? "does not allow connections (datallowconn is false)"
                            : !rs.getBoolean(4) ? "no CONNECT privilege for the backup user" : null;
                    refusal.put(name, why);
                }
            }
            List<String> exclude = req.selection().exclude() == null ? List.of() : req.selection().exclude();
            for (String x : exclude) {
                if (!refusal.containsKey(x)) {
                    throw PgBackupException.config("--exclude-databases/PG_EXCLUDE_DATABASES: no database '" + x
                            + "' on the server (it has: " + String.join(", ", refusal.keySet()) + ")");
                }
            }
            if (req.selection().all()) {
                for (Map.Entry<String, String> e : refusal.entrySet()) {
                    String name = e.getKey();
                    if (exclude.contains(name)) {
                        skipped.add(new Manifest.Skipped(name, "excluded (--exclude-databases)"));
                    } else if (e.getValue() != null) {
                        skipped.add(new Manifest.Skipped(name, e.getValue()));
                    } else if (name.equals(MAINTENANCE)) {
                        skipped.add(new Manifest.Skipped(name, "the maintenance database (list it in PG_DATABASES to "
                                + "include it)"));
                    } else {
                        chosen.add(name);
                    }
                }
            } else {
                for (String name : req.selection().include()) {
                    if (!refusal.containsKey(name)) {
                        throw PgBackupException.config("--databases/PG_DATABASES: no database '" + name + "' on the server "
                                + "(it has: " + String.join(", ", refusal.keySet()) + ")");
                    }
                    if (refusal.get(name) != null) {
                        throw PgBackupException.config("--databases/PG_DATABASES: database '" + name + "' cannot be backed "
                                + "up: " + refusal.get(name));
                    }
                    if (exclude.contains(name)) {
                        skipped.add(new Manifest.Skipped(name, "excluded (--exclude-databases)"));
                    } else if (!chosen.contains(name)) {
                        chosen.add(name);
                    }
                }
            }
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "source server: " + Database.firstLine(e.getMessage()), e);
        }
        if (chosen.isEmpty()) {
            throw PgBackupException.config("no database to back up on the server (skipped: " + String.join(", ",
                    skipped.stream().map(s -> s.name() + ": " + s.reason()).toList()) + ")");
        }
        List<Planned> planned = new ArrayList<>();
        for (String name : chosen) {
            try (Connection c = new Database(t.source().with("dbname", name), "database '" + name + "'").connect()) {
                planned.add(new Planned(name, ServerInfo.read(c)));
            } catch (SQLException e) {
                throw new PgBackupException(ExitCode.DATABASE, "database '" + name + "': " + Database.firstLine(e.getMessage()),
                        e);
            }
        }
        return new Preflight(base, pgDumpall, base.info().version(), superuser, planned, skipped);
    }

    /** A server backup without the prefix lock (tests). */
    public Manifest backup(Request req) {
        return backup(req, preflight(req, tools), null);
    }

    /** Takes the server backup; with {@code lock} held, sweeps killed runs' leftovers first. */
    public Manifest backup(Request req, Preflight pre, PrefixLock lock) {
        BackupRequest t = req.template();
        String compression = BackupService.dumpCompression(pre.tools().dumpVersion().major());
        cancellation.check("before the backup started");
        BackupService.sweep(store, layout, lock, clock);
        Instant started = clock.instant();
        long total = pre.databases().stream().mapToLong(p -> p.info().sizeBytes()).sum();
        log.info("backing up {} database(s) of {} ({} on PostgreSQL {}; {} at a time) and the globals with pg_dump {} to {}{}",
                pre.databases().size(), t.source().redacted(), Progress.bytes(total), pre.serverVersion(), req.parallel(),
                pre.tools().dumpVersion(), store.describe(), pre.skipped().isEmpty() ? "" : "; skipped: " + String.join(", ",
                        pre.skipped().stream().map(s -> s.name() + " (" + s.reason() + ")").toList()));
        StemClaim.Marker marker = new StemClaim.Marker(java.util.UUID.randomUUID().toString(),
                lock == null ? "unlocked" : lock.lease().id(), ProcessId.self(), started);
        Cancellation group = new Cancellation();
        List<Manifest.StoredObject> done = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Cancellation.Registration watching = cancellation.register(why -> group.cancel(why));
                StemClaim claim = StemClaim.acquire(store, layout, started, marker)) {
            String stem = claim.stem();
            String globalsNote = pre.superuser() ? null
                    : "role passwords not included: the backup user is not a superuser (pg_dumpall --no-role-passwords); "
                            + "set them again after a restore";
            Manifest.StoredObject globals = globals(t, stem, pre, group);
            done.add(globals);
            Map<String, DumpedDatabase> dumped = databases(req, stem, pre, compression, group, done);
            Instant finished = clock.instant();
            if (cancellation.isCancelled() || lock != null && lock.lost() != null) {
                BackupService.deleteQuietly(store, done);
                if (lock != null) {
                    lock.check();
                }
                cancellation.check("before the manifest was written: backup aborted, nothing stored");
            }
            Manifest m = manifest(t, stem, started, finished, pre, compression, globals, globalsNote, dumped);
            List<Manifest.StoredObject> objects = new ArrayList<>(m.objects());
            if (t.encrypted()) {
                objects.add(BackupService.storeCatalog(store, layout, m, t.recipients(), objects));
                m = m.withObjects(objects);
            }
            BackupService.commit(store, layout, m, objects);
            if (lock != null) {
                lock.committed();
            }
            log.atInfo().addKeyValue("stem", m.stem()).addKeyValue("bytes", m.totalBytes())
                    .addKeyValue("duration", m.durationMillis() / 1000.0).addKeyValue("rows", m.rows().total())
                    .log("server backup {} complete: {} database(s), {} in {}; {} rows counted in the dump streams{}",
                            m.stem(), dumped.size(), Progress.bytes(m.totalBytes()),
                            String.format(Locale.ROOT, "%.1f s", m.durationMillis() / 1000.0), m.rows().total(),
                            globalsNote == null ? "" : "; " + globalsNote);
            return m;
        } catch (PgBackupException e) {
            BackupService.deleteQuietly(store, done);
            throw e;
        } catch (IOException e) {
            BackupService.deleteQuietly(store, done);
            throw new PgBackupException(ExitCode.STORAGE, "backup failed: " + e.getMessage(), e);
        }
    }

    /** pg_dumpall --globals-only, compressed (and encrypted) into {@code <stem>.globals.sql.zst}. */
    private Manifest.StoredObject globals(BackupRequest t, String stem, Preflight pre, Cancellation group)
            throws IOException {
        try (ChildCredentials creds = ChildCredentials.of(t.source())) {
            List<String> cmd = new ArrayList<>(List.of(pre.pgDumpall().toString(), "--globals-only", "--no-password",
                    creds.dbnameArg()));
            if (!pre.superuser()) {
                cmd.add("--no-role-passwords"); // pg_authid is superuser-only; pg_roles shows no passwords
            }
            SqlCompression z = SqlCompression.ZSTD;
            List<Stage> stages = new ArrayList<>(List.of(new CompressionStage(z)));
            String suffix = z.suffix();
            if (t.encrypted()) {
                stages.add(new AgeStage(t.recipients()));
                suffix += KeyLayout.AGE_SUFFIX;
            }
            BackupRun.Output out = new BackupRun.Output("globals", stages,
                    layout.key(stem, KeyLayout.GLOBALS_INFIX + suffix), Manifest.GLOBALS_FORMAT, z.label());
            BackupRun.Plan plan = new BackupRun.Plan(List.of(new BackupRun.Producer("pg_dumpall", cmd, creds.env(),
                    List.of(new BackupRun.ToOutput(out)), null)));
            List<Manifest.StoredObject> objects = new BackupRun(store, plan).execute(group);
            return objects.get(0);
        }
    }

    /** One database's dump: what a one-database backup would record. */
    private record DumpedDatabase(Planned planned, List<Manifest.StoredObject> objects, List<Manifest.Table> tables,
            Manifest.Rows rows, java.util.Set<String> columnOptions, Manifest.Standby standby) {}

    /** Dumps every database, {@code parallel} at a time; the first failure stops the rest. */
    private Map<String, DumpedDatabase> databases(Request req, String stem, Preflight pre, String compression,
            Cancellation group, List<Manifest.StoredObject> done) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, req.parallel()), r -> {
            Thread th = new Thread(r, "database");
            th.setDaemon(true);
            return th;
        });
        AtomicReference<PgBackupException> first = new AtomicReference<>();
        Map<String, Future<DumpedDatabase>> futures = new LinkedHashMap<>();
        try {
            for (Planned p : pre.databases()) {
                futures.put(p.name(), pool.submit(() -> {
                    if (group.isCancelled()) {
                        return null; // another database failed already: do not start this one
                    }
                    try {
                        DumpedDatabase d = dump(req.template(), stem, p, pre, compression, group);
                        done.addAll(d.objects());
                        return d;
                    } catch (PgBackupException e) {
                        if (first.compareAndSet(null, e)) {
                            group.cancel("database '" + p.name() + "' failed");
                        }
                        throw e;
                    } catch (IOException | RuntimeException e) {
                        PgBackupException pe = new PgBackupException(ExitCode.STORAGE, e.getMessage(), e);
                        if (first.compareAndSet(null, pe)) {
                            group.cancel("database '" + p.name() + "' failed");
                        }
                        throw pe;
                    }
                }));
            }
            Map<String, DumpedDatabase> out = new LinkedHashMap<>();
            PgBackupException failure = null;
            String failed = null;
            for (Map.Entry<String, Future<DumpedDatabase>> f : futures.entrySet()) {
                try {
                    DumpedDatabase d = f.getValue().get();
                    if (d != null) {
                        out.put(f.getKey(), d);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() == first.get()) {
                        failed = f.getKey();
                        failure = first.get();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    group.cancel("interrupted");
                }
            }
            if (cancellation.isCancelled()) {
                cancellation.check("during the backup of the databases: backup aborted, nothing stored");
            }
            if (failure != null) {
                throw new PgBackupException(failure.exitCode(), "database '" + failed + "': " + failure.getMessage()
                        + " (the whole server backup was aborted: nothing of it is stored)", failure);
            }
            if (out.size() != pre.databases().size()) {
                throw new PgBackupException(ExitCode.FAILURE, "server backup incomplete: " + out.size() + " of "
                        + pre.databases().size() + " databases dumped");
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private DumpedDatabase dump(BackupRequest t, String stem, Planned p, Preflight pre, String compression,
            Cancellation group) throws IOException {
        ConnectionString source = t.source().with("dbname", p.name());
        BackupRequest req = new BackupRequest(source, t.format(), t.sqlCompression(), t.label(), t.trigger(), t.slot(),
                t.dumpOptions(), t.recipients());
        BackupService.Preflight one = new BackupService.Preflight(pre.tools().tools(), pre.tools().pgDump(),
                pre.tools().dumpVersion(),
                pre.tools().pgRestore(), p.info());
        try (ChildCredentials creds = ChildCredentials.of(source);
                Progress progress = new Progress(p.info().sizeBytes(), progressEvery, p.name());
                StandbySnapshot snapshot = p.info().standby() == null ? null : StandbySnapshot.export(source)) {
            RowCountingStage counter = new RowCountingStage();
            BackupRun.Plan plan = BackupService.plan(req, suffix -> layout.databaseKey(stem, p.name(), suffix), one,
                    compression, creds, progress, counter, snapshot);
            List<Manifest.StoredObject> objects = BackupService.run(new BackupRun(store, plan), snapshot, group);
            List<Manifest.Table> tables = BackupService.tables(p.info(), counter);
            long rows = tables.stream().mapToLong(x -> x.rowCount() == null ? 0 : x.rowCount()).sum();
            log.info("{}: {} rows in {} tables, {}", p.name(), rows, tables.size(), Progress.bytes(objects.stream()
                    .mapToLong(Manifest.StoredObject::bytes).sum()));
            return new DumpedDatabase(p, objects, tables, new Manifest.Rows(Manifest.Rows.DUMP_STREAM, rows,
                    counter.largeObjects()), counter.columnOptions(), BackupService.standby(snapshot));
        }
    }

    private static boolean earlier(Manifest.Standby a, Manifest.Standby b) {
        return a.dataAsOf() != null && (b.dataAsOf() == null || a.dataAsOf().isBefore(b.dataAsOf()));
    }

    private Manifest manifest(BackupRequest t, String stem, Instant started, Instant finished, Preflight pre,
            String compression, Manifest.StoredObject globals, String globalsNote, Map<String, DumpedDatabase> dumped) {
        List<Manifest.StoredObject> objects = new ArrayList<>(List.of(globals));
        List<Manifest.Database> databases = new ArrayList<>();
        long size = 0;
        long rows = 0;
        long largeObjects = 0;
        java.util.SortedSet<String> columnOptions = new java.util.TreeSet<>();
        Manifest.Standby standby = null; // the earliest database's: what the whole backup at least holds
        for (DumpedDatabase d : dumped.values()) {
            if (d.standby() != null && (standby == null || earlier(d.standby(), standby))) {
                standby = d.standby();
            }
            columnOptions.addAll(d.columnOptions());
            objects.addAll(d.objects());
            databases.add(new Manifest.Database(d.planned().name(), d.planned().info().sizeBytes(), d.objects(), d.tables(),
                    d.rows()));
            size += d.planned().info().sizeBytes();
            rows += d.rows().total();
            largeObjects += d.rows().largeObjects();
        }
        ToolVersion v = pre.serverVersion();
        return new Manifest(Manifest.SERVER_FORMAT_VERSION, "pgbackup", Version.tool(), stem, t.label(), t.trigger(),
                t.slot(), started, finished, Duration.between(started, finished).toMillis(),
                new Manifest.Source(null, t.source().redacted(), v.full(), v.major(), size, standby),
                new Manifest.Dump(pre.tools().dumpVersion().full(), compression, t.dumpOptions().args(),
                        columnOptions.isEmpty() ? null : List.copyOf(columnOptions),
                        BackupService.statistics(pre.tools(), t.dumpOptions().args()).contains("--statistics")
                                ? Boolean.TRUE : null),
                objects, List.of(), new Manifest.Rows(Manifest.Rows.DUMP_STREAM, rows, largeObjects),
                t.encrypted() ? new Manifest.Encryption(Manifest.Encryption.AGE, t.recipients().keys()) : null,
                new Manifest.Server(databases, globals.key(), globalsNote, pre.skipped()));
    }
}
