package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.Destination;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.Version;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.pipeline.CompressionStage;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.pipeline.Stage;
import io.pgbackup.pipeline.age.AgeRecipients;
import io.pgbackup.pipeline.age.AgeStage;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server backup: several databases and the globals (roles, memberships, role settings,
 * tablespaces) in one run, one stem and one manifest. Each database is dumped as a one-database
 * backup is (both formats, exact row counts, its own snapshot: databases are not consistent with
 * each other), {@code parallel} at a time. The first failure stops the others; then nothing of the
 * run remains and the message names the database.
 */
public final class WholeServer implements BackupKind<WholeServer.Dumped> {
    private static final Logger log = LoggerFactory.getLogger(WholeServer.class);
    /** The database the connection goes to when none is listed: never backed up unless listed. */
    public static final String MAINTENANCE = "postgres";
    private final BackupRequest template;
    private final Check check;
    private final int parallel;
    private final Duration progressEvery;
    private final Previous previous;

    /**
     * Which databases: {@code include} null means all that allow connections (not templates, not
     * the maintenance database unless listed); {@code exclude} removes names from either.
     */
    public record Selection(List<String> include, List<String> exclude) {
        public boolean all() {
            return include == null;
        }
    }

    /** A database to dump and what the server says about it. */
    public record Planned(String name, ServerInfo info) {}

    /**
     * What is checked before anything is written: the tools (of the server's major), pg_dumpall,
     * whether the backup user is a superuser (role passwords), the databases picked and skipped.
     */
    public record Check(SourceCheck source, Path pgDumpall, boolean superuser, List<Planned> databases,
            List<Manifest.Skipped> skipped) {
        ToolVersion serverVersion() {
            return source.info().version();
        }
    }

    /** What the run produced: the globals and every database, each in every destination. */
    public record Dumped(Map<Destination, Manifest.StoredObject> globals, Map<String, DatabaseDump.Result> databases,
            String globalsNote) {}

    /** A backup of {@code template}'s server, {@code parallel} databases at once, once {@code check} passed. */
    public WholeServer(BackupRequest template, Check check, int parallel, Duration progressEvery) {
        this(template, check, parallel, progressEvery, Previous.NONE);
    }

    /** ... with what the last server backup stored per database, which sizes the uploads' parts. */
    public WholeServer(BackupRequest template, Check check, int parallel, Duration progressEvery, Previous previous) {
        this.template = template;
        this.check = check;
        this.parallel = Math.max(1, parallel);
        this.progressEvery = progressEvery;
        this.previous = previous;
    }

    /**
     * Checks tools and versions, lists the server's databases and picks them, and reads each
     * one's size and tables. A listed database that does not exist or refuses connections is
     * exit 2, naming it and what the server has; a server newer than every pg_dump exit 4.
     */
    public static Check check(ConnectionString server, Selection selection, PgTools tools) {
        SourceCheck base = SourceCheck.of(server, tools);
        Path pgDumpall = tools.require(base.tools(), "pg_dumpall");
        List<Manifest.Skipped> skipped = new ArrayList<>();
        List<String> chosen = new ArrayList<>();
        boolean superuser;
        try (Connection c = new Database(server, "source").connect(); Statement st = c.createStatement()) {
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
            pick(selection, refusal, chosen, skipped);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "source server: " + Database.firstLine(e.getMessage()), e);
        }
        if (chosen.isEmpty()) {
            throw PgBackupException.config("no database to back up on the server (skipped: " + String.join(", ",
                    skipped.stream().map(s -> s.name() + ": " + s.reason()).toList()) + ")");
        }
        List<Planned> planned = new ArrayList<>();
        for (String name : chosen) {
            try (Connection c = new Database(server.with("dbname", name), "database '" + name + "'").connect()) {
                planned.add(new Planned(name, ServerInfo.read(c)));
            } catch (SQLException e) {
                throw new PgBackupException(ExitCode.DATABASE, "database '" + name + "': " + Database.firstLine(e.getMessage()),
                        e);
            }
        }
        return new Check(base, pgDumpall, superuser, planned, skipped);
    }

    private static void pick(Selection selection, Map<String, String> refusal, List<String> chosen,
            List<Manifest.Skipped> skipped) {
        List<String> exclude = selection.exclude() == null ? List.of() : selection.exclude();
        for (String x : exclude) {
            if (!refusal.containsKey(x)) {
                throw PgBackupException.config("--exclude-databases/PG_EXCLUDE_DATABASES: no database '" + x
                        + "' on the server (it has: " + String.join(", ", refusal.keySet()) + ")");
            }
        }
        if (selection.all()) {
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
            return;
        }
        for (String name : selection.include()) {
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

    @Override
    public String describe(String where) {
        long total = check.databases().stream().mapToLong(p -> p.info().sizeBytes()).sum();
        return String.format(Locale.ROOT, "backing up %d database(s) of %s (%s on PostgreSQL %s; %d at a time) and the "
                + "globals with pg_dump %s to %s%s", check.databases().size(), template.source().redacted(),
                Progress.bytes(total), check.serverVersion(), parallel, check.source().dumpVersion(), where,
                check.skipped().isEmpty() ? "" : "; skipped: " + String.join(", ",
                        check.skipped().stream().map(s -> s.name() + " (" + s.reason() + ")").toList()));
    }

    @Override
    public Dumped take(String stem, Fanout to, Cancellation cancellation) throws IOException {
        Cancellation group = new Cancellation();
        List<Map.Entry<Destination, Manifest.StoredObject>> done = new CopyOnWriteArrayList<>();
        try (Cancellation.Registration watching = cancellation.register(group::cancel)) {
            Map<Destination, Manifest.StoredObject> globals = globals(stem, to, group);
            globals.forEach((d, o) -> done.add(Map.entry(d, o)));
            Map<String, DatabaseDump.Result> dumped = databases(stem, to, group, cancellation, done);
            String note = check.superuser() ? null
                    : "role passwords not included: the backup user is not a superuser (pg_dumpall --no-role-passwords); "
                            + "set them again after a restore";
            return new Dumped(globals, dumped, note);
        } catch (IOException | RuntimeException e) {
            delete(done);
            throw e;
        }
    }

    /** pg_dumpall --globals-only, compressed (and encrypted) into {@code <stem>.globals.sql.zst}. */
    private Map<Destination, Manifest.StoredObject> globals(String stem, Fanout to, Cancellation group)
            throws IOException {
        try (ChildCredentials creds = ChildCredentials.of(template.source())) {
            List<String> cmd = new ArrayList<>(List.of(check.pgDumpall().toString(), "--globals-only", "--no-password",
                    creds.dbnameArg()));
            if (!check.superuser()) {
                cmd.add("--no-role-passwords"); // pg_authid is superuser-only; pg_roles shows no passwords
            }
            SqlCompression z = SqlCompression.ZSTD;
            List<Stage> stages = new ArrayList<>(List.of(new CompressionStage(z)));
            boolean encrypted = template.encrypted();
            if (encrypted) {
                stages.add(new AgeStage(template.what().recipients()));
            }
            BackupRun.Output out = new BackupRun.Output("globals", stages, (KeyLayout l) -> l.globalsKey(stem, encrypted),
                    Manifest.GLOBALS_FORMAT, z.label());
            BackupRun.Plan plan = new BackupRun.Plan(List.of(new BackupRun.Producer("pg_dumpall", cmd, creds.env(),
                    List.of(new BackupRun.ToOutput(out)), null)));
            Map<Destination, Manifest.StoredObject> globals = new LinkedHashMap<>();
            new BackupRun(to, plan).execute(group).forEach((d, objects) -> globals.put(d, objects.get(0)));
            return globals;
        }
    }

    /** Dumps every database, {@code parallel} at a time; the first failure stops the rest. */
    private Map<String, DatabaseDump.Result> databases(String stem, Fanout to, Cancellation group,
            Cancellation run, List<Map.Entry<Destination, Manifest.StoredObject>> done) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread th = new Thread(r, "database");
            th.setDaemon(true);
            return th;
        });
        AtomicReference<PgBackupException> first = new AtomicReference<>();
        Map<String, Future<DatabaseDump.Result>> futures = new LinkedHashMap<>();
        try {
            for (Planned p : check.databases()) {
                futures.put(p.name(), pool.submit(() -> dumpOne(stem, to, p, group, first, done)));
            }
            Map<String, DatabaseDump.Result> out = new LinkedHashMap<>();
            String failed = null;
            for (Map.Entry<String, Future<DatabaseDump.Result>> f : futures.entrySet()) {
                try {
                    DatabaseDump.Result d = f.getValue().get();
                    if (d != null) {
                        out.put(f.getKey(), d);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() == first.get()) {
                        failed = f.getKey();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    group.cancel("interrupted");
                }
            }
            if (run.isCancelled()) {
                run.check("during the backup of the databases: backup aborted, nothing stored");
            }
            PgBackupException failure = first.get();
            if (failure != null) {
                throw new PgBackupException(failure.exitCode(), "database '" + failed + "': " + failure.getMessage()
                        + " (the whole server backup was aborted: nothing of it is stored)", failure);
            }
            if (out.size() != check.databases().size()) {
                throw new PgBackupException(ExitCode.FAILURE, "server backup incomplete: " + out.size() + " of "
                        + check.databases().size() + " databases dumped");
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private DatabaseDump.Result dumpOne(String stem, Fanout to, Planned p, Cancellation group,
            AtomicReference<PgBackupException> first, List<Map.Entry<Destination, Manifest.StoredObject>> done) {
        if (group.isCancelled()) {
            return null; // another database failed already: do not start this one
        }
        try {
            DatabaseDump dump = new DatabaseDump(template.withSource(template.source().with("dbname", p.name())),
                    check.source().forDatabase(p.info()), p.name(), progressEvery, previous);
            DatabaseDump.Result d = dump.run(stem, to, group);
            d.objects().forEach((dest, objects) -> objects.forEach(o -> done.add(Map.entry(dest, o))));
            log.info("{}: {} rows in {} tables, {}", p.name(), d.rows().total(), d.tables().size(), Progress.bytes(
                    d.objects().get(to.all().get(0)).stream().mapToLong(Manifest.StoredObject::bytes).sum()));
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
    }

    private static void delete(List<Map.Entry<Destination, Manifest.StoredObject>> done) {
        for (Map.Entry<Destination, Manifest.StoredObject> o : done) {
            try {
                o.getKey().store().delete(o.getValue().key());
            } catch (IOException e) {
                log.warn("could not delete {}: {}", o.getValue().key(), e.getMessage());
            }
        }
    }

    @Override
    public List<Manifest.StoredObject> objects(Dumped taken, Destination d) {
        List<Manifest.StoredObject> out = new ArrayList<>(List.of(taken.globals().get(d)));
        taken.databases().values().forEach(r -> out.addAll(r.objects().get(d)));
        return out;
    }

    @Override
    public Manifest manifest(Stamp stamp, Dumped taken, List<Manifest.StoredObject> objects) {
        Manifest.StoredObject globals = objects.get(0);
        List<Manifest.Database> databases = new ArrayList<>();
        long size = 0;
        long rows = 0;
        long largeObjects = 0;
        SortedSet<String> columnOptions = new TreeSet<>();
        Manifest.Standby standby = null; // the earliest database's: what the whole backup at least holds
        int at = 1;
        for (Planned p : check.databases()) {
            DatabaseDump.Result d = taken.databases().get(p.name());
            int n = d.objects().values().iterator().next().size();
            List<Manifest.StoredObject> mine = objects.subList(at, at + n);
            at += n;
            columnOptions.addAll(d.columnOptions());
            if (d.standby() != null && (standby == null || earlier(d.standby(), standby))) {
                standby = d.standby();
            }
            databases.add(new Manifest.Database(p.name(), p.info().sizeBytes(), List.copyOf(mine), d.tables(), d.rows()));
            size += p.info().sizeBytes();
            rows += d.rows().total();
            largeObjects += d.rows().largeObjects();
        }
        ToolVersion v = check.serverVersion();
        DatabaseDump any = new DatabaseDump(template, check.source(), null, progressEvery, previous);
        return new Manifest(Manifest.Header.of(Manifest.SERVER_FORMAT_VERSION, Version.tool()),
                Manifest.Run.of(stamp.stem(), template.occasion().label(), template.occasion().trigger().label(),
                        template.occasion().slot(), stamp.startedAt(), stamp.finishedAt()),
                new Manifest.Source(null, template.source().redacted(), v.full(), v.major(), size, standby),
                any.dumpRecord(columnOptions), objects,
                new Manifest.Counts(List.of(), new Manifest.Rows(Manifest.Rows.DUMP_STREAM, rows, largeObjects)),
                template.encrypted() ? new Manifest.Encryption(Manifest.Encryption.AGE, template.what().recipients().keys())
                        : null,
                new Manifest.Server(databases, globals.key(), taken.globalsNote(), check.skipped()));
    }

    private static boolean earlier(Manifest.Standby a, Manifest.Standby b) {
        return a.dataAsOf() != null && (b.dataAsOf() == null || a.dataAsOf().isBefore(b.dataAsOf()));
    }

    /** The biggest databases' uploads, {@code parallel} databases at once. */
    @Override
    public List<Long> expectedUploads() {
        List<List<Long>> each = new ArrayList<>();
        for (Planned p : check.databases()) {
            each.add(new DatabaseDump(template, check.source().forDatabase(p.info()), p.name(), progressEvery, previous)
                    .expectedUploads());
        }
        each.sort(java.util.Comparator.comparingLong((List<Long> l) -> l.stream().mapToLong(Long::longValue).sum())
                .reversed());
        List<Long> out = new ArrayList<>();
        each.stream().limit(parallel).forEach(out::addAll);
        return out;
    }

    @Override
    public AgeRecipients recipients() {
        return template.what().recipients();
    }

    @Override
    public void committed(Manifest m, Dumped taken) {
        log.atInfo().addKeyValue("stem", m.stem()).addKeyValue("bytes", m.totalBytes())
                .addKeyValue("duration", m.durationMillis() / 1000.0).addKeyValue("rows", m.rows().total())
                .log("server backup {} complete: {} database(s), {} in {}; {} rows counted in the dump streams{}",
                        m.stem(), taken.databases().size(), Progress.bytes(m.totalBytes()),
                        String.format(Locale.ROOT, "%.1f s", m.durationMillis() / 1000.0), m.rows().total(),
                        taken.globalsNote() == null ? "" : "; " + taken.globalsNote());
    }
}
