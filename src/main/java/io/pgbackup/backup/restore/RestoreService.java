package io.pgbackup.backup.restore;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ScratchFiles;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.Feed;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerIdentity;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pipeline.TargetFilter;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.repo.StoredRead;
import io.pgbackup.repo.StoredReadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a backup into a target database: the custom archive streamed from the store into
 * {@code pg_restore} (or downloaded and checked first for {@code --jobs}), or the SQL script through
 * {@code psql}. Every pg_restore/psql error fails the restore (no "errors ignored on restore"), and
 * the SHA-256 of what was read is checked against the manifest. The store failing mid-restore is
 * a storage error (exit 6), the child failing on good bytes a restore error (exit 11), and only
 * bytes that do not match the manifest an integrity error (exit 8).
 */
public record RestoreService(ObjectReader reader, PgTools tools, Cancellation cancellation) {
    private static final Logger log = LoggerFactory.getLogger(RestoreService.class);

    /**
     * The one database a restore (or drill) reads from {@code m}: a server backup's {@code database},
     * which it needs (exit 2 without, 7 when it has none of that name); a one-database backup itself.
     */
    public static Manifest oneDatabase(Manifest m, String database) {
        if (database == null) {
            if (m.serverBackup()) {
                throw PgBackupException.config("backup " + m.stem() + " is a server backup of " + m.databaseNames().size()
                        + " databases (" + String.join(", ", m.databaseNames()) + "): choose one with --database NAME, or "
                        + "restore them all onto a server with --all");
            }
            return m;
        }
        try {
            return m.forDatabase(database);
        } catch (IllegalArgumentException e) {
            throw new PgBackupException(ExitCode.NOT_FOUND, e.getMessage());
        }
    }

    /** Restores; returns the database restored into (the target's, or the created one). */
    public ConnectionString restore(RestoreRequest asked) {
        RestoreRequest req = allOrNothing(asked);
        Manifest m = req.manifest();
        boolean plain = req.plain();
        Manifest.StoredObject obj = m.object(plain ? "plain" : "custom").orElseThrow(() -> PgBackupException.config(
                "backup " + m.stem() + " has no " + req.options().format().objectFormat() + " object; use --format "
                        + (plain ? "custom" : "plain")));
        if (plain && (!req.options().switches().stream().allMatch(o -> o == RestoreRequest.Option.SINGLE_TRANSACTION)
                || req.jobs() > 1)) {
            throw PgBackupException.config("--no-owner, --no-privileges, --clean and --jobs need the custom archive: "
                    + "drop --format plain");
        }
        TocSelection.Filter filter = req.options().select();
        if (!filter.isEmpty() && plain) {
            throw PgBackupException.config("--table and --schema pick entries of the custom archive: drop --format plain");
        }
        if (req.has(RestoreRequest.Option.SINGLE_TRANSACTION) && req.jobs() > 1) {
            throw PgBackupException.config("--single-transaction cannot be combined with --jobs (pg_restore refuses "
                    + "it): drop one of them");
        }
        reader.requireKeyFor(m); // before anything touches the target
        Route route = route(req, m, plain);
        if (!req.options().into().archivesOwn()) {
            guardSource(req);
        }
        long t0 = System.nanoTime();
        Path archive = null;
        Path list = null;
        ConnectionString target = req.target();
        boolean created = false;
        try {
            List<TocSelection.Entry> toc = filter.isEmpty() ? null : readToc(m, obj, route, filter);
            if (!plain && req.jobs() > 1 && !route.script()) {
                archive = download(req, obj); // checked before anything touches the database
            }
            if (req.options().into().createDatabase() != null) {
                target = createDatabase(target, req.options().into().createDatabase());
                created = true;
            }
            if (req.options().into().archivesOwn()) {
                created = true; // pg_restore --create makes it: a failed restore must not leave it
            } else if (toc == null) {
                checkTarget(target, req, plain);
            }
            TocSelection.Result selection = null;
            if (toc != null) {
                // one connection for what the target has: relations, what the restore would create, prerequisites
                try (Connection c = new Database(target, "target").connect()) {
                    selection = select(m, toc, filter, c);
                    if (!req.options().into().archivesOwn()) {
                        checkSelectedAbsent(c, target, selection, req.has(RestoreRequest.Option.CLEAN));
                    }
                    list = listFile(req, selection, c);
                } catch (SQLException e) {
                    throw inspectFailed(e);
                }
            }
            log.info("restoring {} ({}{}) into {}", m.stem(), obj.key(), selection == null ? ""
                    : ": " + String.join(", ", selection.tables()), target.redacted());
            try (ChildCredentials creds = ChildCredentials.of(target)) {
                if (archive != null) {
                    restoreFromFile(req, obj, route.program(), creds, archive, list);
                } else {
                    restoreStreaming(req, obj, route, creds, plain, target, list);
                }
            }
            created = false; // restored: keep it
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "restore failed: " + e.getMessage(), e);
        } finally {
            if (archive != null) {
                deleteQuietly(archive);
            }
            if (list != null) {
                deleteQuietly(list);
            }
            if (created) {
                dropCreated(req.target(), req.options().into().archivesOwn() ? m.source().database() : req.options().into().createDatabase());
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        log.atInfo().addKeyValue("stem", m.stem()).addKeyValue("duration", secs)
                .log("restored {} in {} s", m.stem(), String.format(Locale.ROOT, "%.1f", secs));
        return target;
    }

    /**
     * A selective restore into a database that is in use runs in one transaction, all or nothing,
     * so a failure (a foreign key the live rows break, a view in the way of --clean) leaves it
     * exactly as it was; pg_restore --jobs cannot, so that combination is refused.
     */
    private static RestoreRequest allOrNothing(RestoreRequest req) {
        if (req.options().select().isEmpty() || req.options().into().createDatabase() != null || req.plain()) {
            return req;
        }
        if (req.jobs() > 1) {
            throw PgBackupException.config("a selective restore into an existing database runs in one transaction "
                    + "(all or nothing), which pg_restore --jobs cannot: drop --jobs, or restore into a scratch "
                    + "database with --create NAME");
        }
        return req.with(req.options().with(RestoreRequest.Option.SINGLE_TRANSACTION));
    }

    /**
     * How this restore runs, decided before anything is touched: the target's major (an older
     * one than the backup's server is refused, exit 4), the client programs that read the backup
     * and are closest to it, and what of their script the target would refuse.
     *
     * @param program          pg_restore (custom, straight into the target) or psql (a script)
     * @param restoreToScript  for the custom archive: {@code pg_restore --file=-} first, its script
     *                         filtered; null: pg_restore connects to the target itself
     * @param settings         the target's settings, when SETs of others must be left out; else null
     * @param unknownColumnOptions column options the dump sets that the target refuses
     */
    record Route(Path program, Path restoreToScript, java.util.Set<String> settings,
            java.util.Set<String> unknownColumnOptions) {
        boolean script() {
            return restoreToScript != null;
        }

        /** A new filter for one pass over the script, or null when nothing needs leaving out. */
        TargetFilter filter() {
            return settings == null && unknownColumnOptions.isEmpty() ? null
                    : new TargetFilter(settings, unknownColumnOptions);
        }
    }

    private Route route(RestoreRequest req, Manifest m, boolean plain) {
        String what = "backup " + m.stem();
        int dumpMajor = ToolVersion.parse(m.dump().pgDumpVersion()).map(ToolVersion::major).orElse(m.source().serverMajor());
        ToolVersion target;
        java.util.Set<String> settings;
        java.util.Set<String> unknownOptions;
        try (Connection c = new Database(req.target(), "target").connect()) {
            target = ServerInfo.version(c);
            settings = ServerInfo.settings(c);
            unknownOptions = ServerInfo.unknownColumnOptions(c, m.dump().columnOptions());
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot inspect the target server: " + firstLine(e), e);
        }
        int source = m.source().serverMajor();
        if (source > 0 && target.major() < source) {
            throw new PgBackupException(ExitCode.VERSION_MISMATCH, what + " is of a PostgreSQL " + m.source().serverVersion()
                    + " server and the target runs PostgreSQL " + target + ": a dump restores into its server's major "
                    + "or a newer one; restore it into PostgreSQL " + source + " or newer");
        }
        if (!unknownOptions.isEmpty()) {
            log.info("the PostgreSQL {} target does not know the column option(s) {} that {} sets (a newer minor "
                    + "release's): the restore leaves them out", target, String.join(", ", unknownOptions), what);
        }
        PgTools.Route r = tools.forRestore(dumpMajor, target.major(), what);
        if (plain) {
            // The script was written at backup time by pg_restore of the dump's major; psql only sends it.
            return new Route(tools.require(r.tools(), "psql"), null,
                    PgTools.settingsFit(dumpMajor, target.major()) ? null : settings, unknownOptions);
        }
        if (!r.throughScript() && unknownOptions.isEmpty()) {
            return new Route(tools.require(r.tools(), "pg_restore"), null, null, unknownOptions);
        }
        if (req.jobs() > 1) {
            log.warn("restoring in one stream, not with --jobs {}: {} goes through pg_restore {}'s script, filtered for "
                    + "the PostgreSQL {} target ({})", req.jobs(), what, r.tools().major(), target, r.throughScript()
                    ? "no pg_restore here reads it and is not newer than the target: install postgresql-client-"
                            + target.major() + " for parallel restores"
                    : "column options it does not know");
        }
        if (r.throughScript()) {
            log.info("restoring through pg_restore {}'s script, without the settings PostgreSQL {} does not know",
                    r.tools().major(), target.major());
        }
        return new Route(tools.require(r.tools(), "psql"), tools.require(r.tools(), "pg_restore"),
                r.throughScript() ? settings : null, unknownOptions);
    }

    /**
     * Refuses to restore over the source database. Compared by what the servers say they are
     * (cluster identifier and database oid), not by connection strings, which differ for one
     * server reached as {@code 127.0.0.1} and as {@code localhost}.
     */
    private static void guardSource(RestoreRequest req) {
        ConnectionString src = req.options().protect();
        if (src == null || req.options().into().createDatabase() != null) {
            return;
        }
        ConnectionString t = req.target();
        ServerIdentity target;
        try (Connection c = new Database(t, "target").connect()) {
            target = ServerIdentity.of(c);
        } catch (SQLException e) {
            throw inspectFailed(e);
        }
        ServerIdentity source;
        try (Connection c = new Database(src, "source").connect()) {
            source = ServerIdentity.of(c);
        } catch (SQLException | PgBackupException e) {
            // An unreachable source cannot be the target we just reached... unless it is the same
            // server behind another address that refuses us now: fall back to the names.
            log.debug("cannot reach the source to compare with the target: {}", e.getMessage());
            if (!t.database().equals(src.database()) || !t.get("host").equals(src.get("host"))) {
                return;
            }
            source = target;
        }
        if (source.sameDatabase(target)) {
            throw PgBackupException.config("the restore target " + t.redacted() + " is the source database (PG_URI, "
                    + "database '" + target.database() + "' on the same server); restoring over it needs --force");
        }
    }

    private static ConnectionString createDatabase(ConnectionString server, String name) {
        try {
            new Database(server, "target").createDatabase(name);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.RESTORE_FAILED, "cannot create database '" + name + "' on "
                    + server.redacted() + ": " + firstLine(e), e);
        }
        return server.with("dbname", name);
    }

    /** A failed restore must not leave the database it created: a rerun would find it "already exists". */
    private static void dropCreated(ConnectionString server, String name) {
        try {
            new Database(server, "target").dropDatabase(name);
            log.info("dropped database {} again: the restore into it failed", name);
        } catch (SQLException | PgBackupException e) {
            log.warn("could not drop the database {} the failed restore created: {}", name, e.getMessage());
        }
    }

    private static void checkTarget(ConnectionString target, RestoreRequest req, boolean plain) {
        try (Connection c = new Database(target, "target").connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    + "where c.relkind in ('r','p','v','m','S','f') and n.nspname not in ('pg_catalog','information_schema') "
                    + "and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'");
            rs.next();
            long objects = rs.getLong(1);
            if (objects > 0 && (plain || !req.has(RestoreRequest.Option.CLEAN))) {
                throw PgBackupException.config("the target database " + target.database() + " is not empty (" + objects
                        + " relations): " + (plain ? "restore the SQL script into an empty database (--create NAME)"
                        : "add --clean to drop and recreate the backup's objects, or use --create NAME"));
            }
        } catch (SQLException e) {
            throw inspectFailed(e);
        }
    }

    private void restoreStreaming(RestoreRequest req, Manifest.StoredObject obj, Route route, ChildCredentials creds,
            boolean plain, ConnectionString target, Path list) throws IOException {
        boolean script = plain || route.script();
        List<String> cmd = script
                ? new ArrayList<>(List.of(route.program().toString(), "--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--set=VERBOSITY=terse", creds.dbnameArg()))
                : pgRestoreCommand(req, route.program(), creds, list);
        if (plain && req.has(RestoreRequest.Option.SINGLE_TRANSACTION)) {
            cmd.add("--single-transaction");
        }
        try (StoredRead read = reader.open(obj, ObjectReader.Layer.CONTENT)) {
            ChildProcess child = ChildProcess.start(script ? "psql" : "pg_restore", cmd, creds.env());
            ChildProcess toScript = null;
            ChildProcess reported = child;
            TargetFilter filter = route.filter();
            Feed.Outcome o;
            try (Cancellation.Registration stop = cancellation.register(why -> child.stop())) {
                if (route.script()) {
                    // pg_restore writes the script, the filter leaves out what the target does not know, psql runs it.
                    List<String> toScriptCmd = pgRestoreCommand(req, route.restoreToScript(), null, list);
                    toScriptCmd.add("--file=-");
                    toScript = ChildProcess.start("pg_restore", toScriptCmd, creds.env());
                    ChildProcess writer = toScript;
                    try (Cancellation.Registration stopWriter = cancellation.register(why -> writer.stop())) {
                        Feed.Outcome written = Feed.run(toScript, read.content(), filter.wrap(child.stdin()));
                        int rc = child.waitFor();
                        o = written.exitCode() != 0 && rc == 0 ? written : new Feed.Outcome(rc, written.readFailure());
                        if (written.exitCode() != 0 && rc == 0) {
                            reported = toScript; // the failure to report is pg_restore's
                        }
                    }
                } else {
                    o = filter == null ? Feed.run(child, read.content()) : Feed.run(child, read.content(), filter::wrap);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
            } finally {
                child.stop();
                if (toScript != null) {
                    toScript.stop();
                }
            }
            if (filter != null && !filter.dropped().isEmpty()) {
                log.info("left out of the script for the target: {} ({} in all)", String.join(" ",
                        new java.util.LinkedHashSet<>(filter.dropped().stream().map(d -> d.replaceAll("=.*", "")
                                .replaceAll("^SET ", "SET ")).toList())), filter.dropped().size());
            }
            cancellation.check("during the restore: pg_restore/psql was stopped; the target may hold part of the backup");
            String partial = plain && !req.has(RestoreRequest.Option.SINGLE_TRANSACTION)
                    ? "; psql had already committed part of the script into " + target.database()
                            + ": restore into a new database (--create) or with --single-transaction"
                    : "; the target may hold part of the backup: restore again with --clean or into a new database";
            if (o.readFailure() instanceof StoredReadException e) {
                throw new PgBackupException(ExitCode.STORAGE, "restore of " + obj.key() + " stopped: " + e.getMessage()
                        + partial, e);
            }
            // An encrypted object is authenticated chunk by chunk up to its final chunk: decrypt what
            // the child did not read, so a stream cut short can never pass as a complete restore.
            IOException tail = null;
            if (obj.encrypted() && o.readFailure() == null && o.exitCode() == 0) {
                try {
                    read.content().transferTo(OutputStream.nullOutputStream());
                } catch (StoredReadException e) {
                    throw new PgBackupException(ExitCode.STORAGE, "restore of " + obj.key() + " stopped: "
                            + e.getMessage() + partial, e);
                } catch (IOException e) {
                    tail = e;
                }
            }
            IOException readFailure = o.readFailure() != null ? o.readFailure() : tail;
            // Hash what the child left unread: after a failure too, since a corrupted object is the
            // likelier cause and deserves the clearer message.
            try {
                read.finish();
            } catch (PgBackupException integrity) {
                String childError = o.exitCode() != 0 ? "; the restore failed with: " + reported.describeExit(o.exitCode()) : "";
                throw new PgBackupException(ExitCode.INTEGRITY, integrity.getMessage() + childError);
            } catch (StoredReadException e) {
                throw new PgBackupException(ExitCode.STORAGE, "restore of " + obj.key() + " stopped: " + e.getMessage()
                        + partial, e);
            }
            if (readFailure != null) {
                // The bytes match the manifest but do not decode: reported as a broken object.
                throw new PgBackupException(ExitCode.INTEGRITY, obj.key() + " matches its manifest but cannot be read: "
                        + readFailure.getMessage() + partial);
            }
            if (o.exitCode() != 0) {
                throw new PgBackupException(ExitCode.RESTORE_FAILED, "restore of " + obj.key() + " failed: "
                        + reported.describeExit(o.exitCode()) + (req.has(RestoreRequest.Option.SINGLE_TRANSACTION)
                                ? " (it ran in one transaction: the target is as it was)" : ""));
            }
        }
    }

    /**
     * The archive's entries that {@code filter} selects, from its table of contents: read by
     * {@code pg_restore --list} from the head of the stream, which is then abandoned (the restore
     * reads it again, whole, and checks its SHA-256). A name the backup lacks is exit 7.
     */
    private List<TocSelection.Entry> readToc(Manifest m, Manifest.StoredObject obj, Route route,
            TocSelection.Filter filter) throws IOException {
        Path pgRestore = route.script() ? route.restoreToScript() : route.program();
        java.io.ByteArrayOutputStream listing = new java.io.ByteArrayOutputStream();
        int rc;
        ChildProcess child;
        try (StoredRead read = reader.open(obj, ObjectReader.Layer.CONTENT)) {
            child = ChildProcess.start("pg_restore", List.of(pgRestore.toString(), "--list", "--verbose"),
                    java.util.Map.of());
            try (Cancellation.Registration stop = cancellation.register(why -> child.stop())) {
                Feed.Outcome o = Feed.run(child, read.content(), listing);
                if (o.readFailure() instanceof StoredReadException e) {
                    throw new PgBackupException(ExitCode.STORAGE, "reading the table of contents of " + obj.key()
                            + " failed: " + e.getMessage(), e);
                }
                rc = o.exitCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
            } finally {
                child.stop();
            }
        }
        cancellation.check("while reading the archive's table of contents");
        if (rc != 0) {
            throw new PgBackupException(ExitCode.INTEGRITY, "pg_restore cannot read the table of contents of " + obj.key()
                    + ": " + child.describeExit(rc) + "; run 'pgbackup verify " + m.stem() + "'");
        }
        List<TocSelection.Entry> all = TocSelection.parse(listing.toString(java.nio.charset.StandardCharsets.UTF_8));
        try {
            TocSelection.checkNames(all, filter);
        } catch (TocSelection.UnknownNames e) {
            throw new PgBackupException(ExitCode.NOT_FOUND, "backup " + m.stem() + " has no " + String.join(", ",
                    e.names()) + (e.nearest().isEmpty() ? "" : "; the nearest names it has: "
                            + String.join(", ", e.nearest())));
        }
        return all;
    }

    /**
     * The entries to restore into {@code target}: what {@code filter} selects and what depends on
     * it, with the foreign keys and other dependents whose other relation the target has (none in a
     * database just created).
     */
    private static TocSelection.Result select(Manifest m, List<TocSelection.Entry> toc, TocSelection.Filter filter,
            Connection c) {
        java.util.function.Predicate<TocSelection.Entry> has = e -> {
            try {
                return Prerequisites.hasRelation(c, e);
            } catch (SQLException x) {
                throw inspectFailed(x);
            }
        };
        try {
            TocSelection.Result r = TocSelection.select(toc, filter, has);
            log.info("{} selects {} table(s) of {} ({}) with {} entries in all", filter.describe(), r.tables().size(),
                    m.stem(), String.join(", ", r.tables()), r.entries().size());
            r.leftOut().forEach(l -> log.warn("left out: {}", l));
            return r;
        } catch (TocSelection.Unrestorable e) {
            throw PgBackupException.config("backup " + m.stem() + ": " + e.getMessage());
        }
    }

    /** A selected table already in the target: pg_restore would fail on it halfway, so say it now. */
    private static void checkSelectedAbsent(Connection c, ConnectionString target, TocSelection.Result selection,
            boolean clean) throws SQLException {
        if (clean) {
            return; // pg_restore --clean drops what the list restores, and only that
        }
        List<String> present = new ArrayList<>();
        for (TocSelection.Entry e : selection.entries()) {
            if (TocSelection.creates(e) && Prerequisites.present(c, e)) {
                present.add(e.desc().equals("TABLE") ? e.qualified() : e.desc().toLowerCase(Locale.ROOT) + " "
                        + e.qualified());
            }
        }
        if (!present.isEmpty()) {
            // "--table orders" is every schema's orders, as with pg_restore -t: say so when it matters
            List<String> ambiguous = selection.tables().stream().map(t -> t.substring(t.indexOf('.') + 1))
                    .collect(java.util.stream.Collectors.groupingBy(n -> n, java.util.stream.Collectors.counting()))
                    .entrySet().stream().filter(n -> n.getValue() > 1).map(java.util.Map.Entry::getKey).sorted().toList();
            throw PgBackupException.config("the target database " + target.database() + " already has "
                    + String.join(", ", present) + ": restore into a scratch database with --create NAME and copy "
                    + "the rows you need from there, or add --clean to drop and replace "
                    + (present.size() == 1 ? "it" : "them") + (ambiguous.isEmpty() ? "" : " (a --table name without "
                    + "a schema matches " + String.join(", ", ambiguous) + " in every schema: name one as SCHEMA.NAME or "
                    + "add --schema)"));
        }
    }

    /**
     * The {@code pg_restore --use-list} file for {@code selection}, with the prerequisites the
     * target lacks (a schema, a type, a function): into a new database, the table comes with what
     * it needs; into the live one, what is there is left alone. The list holds entry numbers and
     * names, no data.
     */
    private static Path listFile(RestoreRequest req, TocSelection.Result selection, Connection c)
            throws IOException, SQLException {
        java.util.Set<Integer> missing = new java.util.HashSet<>();
        for (TocSelection.Entry e : selection.prerequisites()) {
            if (!Prerequisites.exists(c, e)) {
                missing.add(e.id());
            }
        }
        if (!missing.isEmpty()) {
            log.info("the target lacks what the selection needs; restoring it too: {}", String.join(", ",
                    selection.prerequisites().stream().filter(e -> missing.contains(e.id()))
                            .map(e -> e.desc().toLowerCase(Locale.ROOT) + " " + e.qualified()).toList()));
            java.util.Set<Integer> restored = new java.util.HashSet<>(missing);
            selection.entries().forEach(e -> restored.add(e.id()));
            TocSelection.attachedTo(selection.all(), restored).forEach(e -> missing.add(e.id()));
        }
        Path dir = req.options().tempDir() != null ? req.options().tempDir() : ScratchFiles.privateDir();
        Path list = ScratchFiles.create(dir, "pgbackup-restore-list", ".list");
        Files.writeString(list, selection.list(missing));
        return list;
    }

    /**
     * What a {@code --jobs} restore's download takes from the disk, said before it starts: the
     * archive (plus a tenth, for the filesystem) must fit the free space of {@code dir}, else exit 2
     * naming --temp-dir and the streamed restore, which needs no disk.
     */
    static String downloadSpace(long archive, long free, Path dir, int jobs) {
        long need = archive + archive / 10;
        if (free < need) {
            throw PgBackupException.config("--jobs " + jobs + " downloads the archive first (pg_restore -j reads a file) "
                    + "and needs " + io.pgbackup.Bytes.format(need) + " free in " + dir + " but " + io.pgbackup.Bytes
                    .format(free) + " are: set --temp-dir to a bigger disk, or restore without --jobs (streamed, no disk)");
        }
        return "--jobs " + jobs + ": downloading the archive (" + io.pgbackup.Bytes.format(archive) + ") to " + dir
                + " first, where " + io.pgbackup.Bytes.format(free) + " are free; it is deleted after the restore";
    }

    /** The archive into a scratch file, its SHA-256 checked, for {@code pg_restore --jobs}. */
    private Path download(RestoreRequest req, Manifest.StoredObject obj) throws IOException {
        Path dir = req.options().tempDir() != null ? req.options().tempDir() : Path.of(System.getProperty("java.io.tmpdir"));
        ScratchFiles.sweep(dir, "pgbackup-restore");
        log.info(downloadSpace(obj.bytes(), Files.getFileStore(dir).getUsableSpace(), dir, req.jobs()));
        Path tmp = ScratchFiles.create(dir, "pgbackup-restore", ".dump");
        boolean ok = false;
        try (StoredRead read = reader.open(obj, ObjectReader.Layer.CONTENT);
                OutputStream out = Files.newOutputStream(tmp)) {
            try (Cancellation.Registration watch = cancellation.register(why -> closeQuietly(read))) {
                try {
                    io.pgbackup.pipeline.Copy.copy(read.content(), out);
                } catch (io.pgbackup.pipeline.age.AgeDecryption.UndecryptableException e) {
                    read.finish(); // a size or SHA-256 mismatch is the clearer message
                    throw new PgBackupException(ExitCode.INTEGRITY, e.getMessage(), e);
                }
                read.finish();
            } catch (IOException | RuntimeException e) {
                cancellation.check("while downloading the archive");
                throw e;
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) {
                deleteQuietly(tmp);
            }
        }
    }

    private void restoreFromFile(RestoreRequest req, Manifest.StoredObject obj, Path bin, ChildCredentials creds,
            Path archive, Path list) throws IOException {
        List<String> cmd = pgRestoreCommand(req, bin, creds, list);
        cmd.add("--jobs=" + req.jobs());
        cmd.add(archive.toString());
        ChildProcess child = ChildProcess.start("pg_restore", cmd, creds.env());
        try (Cancellation.Registration stop = cancellation.register(why -> child.stop())) {
            int rc = Feed.run(child, InputStream.nullInputStream()).exitCode();
            cancellation.check("during the restore: pg_restore was stopped; the target may hold part of the backup");
            if (rc != 0) {
                throw new PgBackupException(ExitCode.RESTORE_FAILED, "restore of " + obj.key() + " failed: "
                        + child.describeExit(rc));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgBackupException(ExitCode.INTERRUPTED, "restore interrupted");
        } finally {
            child.stop();
        }
    }

    /**
     * pg_restore with the request's options; {@code creds} null: it writes a script instead of
     * connecting; {@code list} non-null: only that list's entries ({@code --use-list}).
     */
    private static List<String> pgRestoreCommand(RestoreRequest req, Path bin, ChildCredentials creds, Path list) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--exit-on-error"));
        if (list != null) {
            cmd.add("--use-list=" + list);
        }
        if (creds != null) {
            cmd.add("--no-password");
            cmd.add(creds.dbnameArg());
        }
        if (req.options().into().archivesOwn()) {
            cmd.add("--create");
        }
        if (req.has(RestoreRequest.Option.CLEAN)) {
            cmd.add("--clean");
            cmd.add("--if-exists");
        }
        if (req.has(RestoreRequest.Option.NO_OWNER)) {
            cmd.add("--no-owner");
        }
        if (req.has(RestoreRequest.Option.NO_PRIVILEGES)) {
            cmd.add("--no-privileges");
        }
        if (req.has(RestoreRequest.Option.SINGLE_TRANSACTION)) {
            cmd.add("--single-transaction");
        }
        return cmd;
    }

    private static void deleteQuietly(Path p) {
        try {
            ScratchFiles.delete(p);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", p, e.getMessage());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    private static PgBackupException inspectFailed(SQLException e) {
        return new PgBackupException(ExitCode.DATABASE, "cannot inspect the target database: " + firstLine(e), e);
    }

    private static String firstLine(SQLException e) {
        return Database.firstLine(e.getMessage());
    }
}
