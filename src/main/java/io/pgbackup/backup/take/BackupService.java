package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.ProcessId;
import io.pgbackup.pipeline.CompressionStage;
import io.pgbackup.pipeline.Stage;
import io.pgbackup.pipeline.age.AgeRecipients;
import io.pgbackup.pipeline.age.AgeStage;
import io.pgbackup.pipeline.CountingStage;
import io.pgbackup.pipeline.RowCountingStage;
import io.pgbackup.pg.TableInfo;
import io.pgbackup.repo.OrphanSweeper;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.repo.StemClaim;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.Version;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pg.StandbySnapshot;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.pg.Toolset;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one backup: checks versions, reserves a stem, runs the streaming {@link BackupRun}, and
 * commits by writing the manifest last with a conditional write. On any failure nothing of this
 * backup remains (earlier backups are never touched) and a {@link PgBackupException} says why.
 */
public final class BackupService {
    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private final ObjectStore store;
    private final KeyLayout layout;
    private final PgTools tools;
    private final Clock clock;
    private final Cancellation cancellation;
    private final Duration progressEvery;

    public BackupService(ObjectStore store, KeyLayout layout, PgTools tools, Clock clock,
            Cancellation cancellation, Duration progressEvery) {
        this.store = store;
        this.layout = layout;
        this.tools = tools;
        this.clock = clock;
        this.cancellation = cancellation;
        this.progressEvery = progressEvery;
    }

    /** pg_dump's archive compression for its major: zstd from 16 on, fast gzip before. */
    static String dumpCompression(int pgDumpMajor) {
        return pgDumpMajor >= 16 ? "zstd:1" : "gzip:1";
    }

    /** pg_dump before 16 takes a bare gzip level; 16+ takes {@code method:level}. */
    static String compressArg(String compression) {
        return compression.startsWith("gzip:") ? compression.substring(5) : compression;
    }

    /**
     * What a backup checks before anything is written: the client programs, their version and
     * the server's (a server newer than pg_dump is refused with exit 4), database size and tables.
     * It touches neither the store nor the lock, so a caller may run it while it takes the lock.
     */
    public record Preflight(Toolset tools, Path pgDump, ToolVersion dumpVersion, Path pgRestore, ServerInfo info) {}

    public static Preflight preflight(BackupRequest req, PgTools tools) {
        if (tools.toolsets().isEmpty()) { // a configuration error, before any connection
            throw missing(tools, "pg_dump");
        }
        Database db = new Database(req.source(), "source");
        ServerInfo info;
        try (Connection c = db.connect()) {
            info = ServerInfo.read(c);
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "source database: " + e.getMessage(), e);
        }
        // The server's own major when installed: its archive is read by that pg_restore and every
        // newer one, and its script loads into that server (newer tools write settings it refuses).
        Toolset set = tools.forDump(info.version());
        Path pgDump = tools.require(set, "pg_dump");
        // Always: the archive also goes through pg_restore --file=-, whose script gives the row counts.
        Path pgRestore = tools.require(set, "pg_restore");
        ToolVersion dumpVersion = tools.version(set, "pg_dump").orElseThrow(() -> missing(tools, "pg_dump"));
        if (info.version().major() > dumpVersion.major()) {
            throw new PgBackupException(ExitCode.VERSION_MISMATCH, "the server runs PostgreSQL " + info.version()
                    + " but pg_dump is " + dumpVersion + ": pg_dump must be at least the server's major version; "
                    + "install postgresql-client-" + info.version().major() + " (or set PG_BIN_DIR), or use the "
                    + "pgbackup image built with --build-arg PG_MAJOR=" + info.version().major());
        }
        warnOfConflicts(info);
        if (set.major() != info.version().major()) {
            log.info("no pg_dump {} here ({}): dumping the PostgreSQL {} server with pg_dump {}", info.version().major(),
                    tools.describe(), info.version(), dumpVersion);
        }
        return new Preflight(set, pgDump, dumpVersion, pgRestore, info);
    }

    /** A backup without the prefix lock (tests, and callers that serialize runs themselves). */
    public Manifest backup(BackupRequest req) {
        return backup(req, preflight(req, tools), null);
    }

    /**
     * Takes the backup. With {@code lock} held, leftovers of killed runs on the prefix are swept
     * first and the lease is checked again right before the manifest is written.
     */
    public Manifest backup(BackupRequest req, Preflight pre, PrefixLock lock) {
        ServerInfo info = pre.info();
        String compression = dumpCompression(pre.dumpVersion().major());
        cancellation.check("before the backup started");
        sweep(store, layout, lock, clock);
        Instant started = clock.instant();
        log.info("backing up {} ({} on PostgreSQL {}, {}) with pg_dump {} to {}", info.database(),
                Progress.bytes(info.sizeBytes()), info.version(), req.source().redacted(), pre.dumpVersion(),
                store.describe());
        StemClaim.Marker marker = new StemClaim.Marker(java.util.UUID.randomUUID().toString(),
                lock == null ? "unlocked" : lock.lease().id(), ProcessId.self(), started);
        // Registered for the whole run so a signal is always handled by us, never by a bare exit.
        try (Cancellation.Registration watching = cancellation.register(why -> log.warn("stop requested ({})", why));
                StemClaim claim = StemClaim.acquire(store, layout, started, marker);
                ChildCredentials creds = ChildCredentials.of(req.source());
                Progress progress = new Progress(info.sizeBytes(), progressEvery);
                StandbySnapshot snapshot = info.standby() == null ? null : StandbySnapshot.export(req.source())) {
            String stem = claim.stem();
            RowCountingStage counter = new RowCountingStage();
            if (snapshot != null && snapshot.point() != null) {
                log.info("the source is a hot standby: the dump holds the primary as replayed to {}{}",
                        snapshot.point().replayLsn(), snapshot.point().asOf() == null ? "" : ", data as of "
                                + snapshot.point().asOf());
            }
            BackupRun.Plan plan = plan(req, suffix -> layout.key(stem, suffix), pre, compression, creds, progress, counter,
                    snapshot);
            List<Manifest.StoredObject> objects = run(new BackupRun(store, plan), snapshot, cancellation);
            Instant finished = clock.instant();
            if (cancellation.isCancelled() || lock != null && lock.lost() != null) {
                deleteQuietly(store, objects);
                if (lock != null) {
                    lock.check();
                }
                cancellation.check("before the manifest was written: backup aborted, nothing stored");
            }
            Manifest m = manifest(req, stem, started, finished, info, pre, compression, objects, counter,
                    standby(snapshot));
            if (req.encrypted()) {
                // Table names and row counts go into an encrypted catalog, written before the manifest.
                Manifest.StoredObject catalog = storeCatalog(store, layout, m, req.recipients(), objects);
                objects = new ArrayList<>(objects);
                objects.add(catalog);
                m = m.withObjects(objects);
            }
            commit(store, layout, m, objects);
            if (lock != null) {
                lock.committed();
            }
            summary(m, progress, objects, counter);
            return m;
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "backup failed: " + e.getMessage(), e);
        }
    }

    /** A dump of this size takes at least this long: 50 MB/s, at least a minute. */
    static java.time.Duration expectedDuration(long bytes) {
        return Duration.ofSeconds(Math.max(60, bytes / 50_000_000));
    }

    /** On a standby that cancels long queries, says so before the dump starts (and how to stop it). */
    static void warnOfConflicts(ServerInfo info) {
        ServerInfo.StandbySettings s = info.standby();
        if (s != null && s.conflictsLikely(expectedDuration(info.sizeBytes()))) {
            log.warn("the source is a hot standby with hot_standby_feedback off and max_standby_streaming_delay {}, "
                    + "max_standby_archive_delay {}: replay may cancel a dump of {} (expected to take {} s or more) when the "
                    + "primary cleans up rows its snapshot needs; set hot_standby_feedback = on, or raise both delays",
                    human(s.maxStreamingDelay()), human(s.maxArchiveDelay()), Progress.bytes(info.sizeBytes()),
                    expectedDuration(info.sizeBytes()).toSeconds());
        }
    }

    private static String human(java.time.Duration d) {
        return d == null ? "-1 (wait forever)" : d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /**
     * Runs the streams; a dump that failed because replay ended the standby's snapshot says so,
     * whatever pg_dump printed (it may only have seen its snapshot vanish).
     */
    static List<Manifest.StoredObject> run(BackupRun run, StandbySnapshot snapshot, Cancellation cancellation)
            throws IOException {
        try {
            return run.execute(cancellation);
        } catch (PgBackupException e) {
            if (e.exitCode() == ExitCode.DUMP_FAILED && snapshot != null && !e.getMessage().contains("recovery conflict")
                    && snapshot.endedByRecoveryConflict()) {
                throw new PgBackupException(ExitCode.DUMP_FAILED, "pg_dump " + StandbySnapshot.RECOVERY_CONFLICT + " (" + e.getMessage() + ")",
                        e);
            }
            throw e;
        }
    }

    /** What the manifest records of a standby's snapshot; null on a primary. */
    static Manifest.Standby standby(StandbySnapshot snapshot) {
        if (snapshot == null || snapshot.point() == null) {
            return null;
        }
        StandbySnapshot.Point p = snapshot.point();
        return new Manifest.Standby(p.replayLsn(), p.replayTimestamp(), p.asOf());
    }

    /** The first pg_dump and server major that dump and restore the planner's statistics. */
    static final int STATISTICS_MAJOR = 18;

    /**
     * The dump options, with {@code --statistics} (the planner's statistics, pg_dump 18) only
     * where it can work: asked for in PG_DUMP_OPTIONS, a pg_dump of 18 or newer, and a server of
     * 18 or newer (only those load them). Off by default, as in pg_dump: measured on the
     * benchmark's data, restoring them made the restore 45% slower (the foreign keys' validation
     * planned for the source's all-visible pages, which a fresh restore does not have) to save an
     * ANALYZE of half a second. Elsewhere both flags are dropped, with a note for --statistics.
     */
    static List<String> statistics(Preflight pre, List<String> options) {
        List<String> out = new ArrayList<>(options);
        boolean possible = pre.tools().major() >= STATISTICS_MAJOR && pre.info().version().major() >= STATISTICS_MAJOR;
        if (!possible) {
            if (out.remove("--statistics")) {
                log.info("--statistics left out: planner statistics need pg_dump {} and a server of {} or newer (here "
                        + "pg_dump {}, server {})", STATISTICS_MAJOR, STATISTICS_MAJOR, pre.tools().major(),
                        pre.info().version());
            }
            out.remove("--no-statistics");
        }
        return out;
    }

    /** Aborts uploads and removes markers and objects of killed runs (we hold the lock); nothing without a lock. */
    static void sweep(ObjectStore store, KeyLayout layout, PrefixLock lock, Clock clock) {
        if (lock == null) {
            return;
        }
        try {
            OrphanSweeper.Swept s = OrphanSweeper.sweep(store, layout, lock.lease(), lock.ttl(), clock.instant());
            if (!s.isEmpty()) {
                log.info("removed the leftovers of {} interrupted backup(s): {} pending upload(s) ({}) aborted, {} "
                        + "object(s) deleted", s.stems().size(), s.abortedUploads(), Progress.bytes(s.abortedBytes()),
                        s.deletedObjects());
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot clean up interrupted backups in " + store.describe()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The streams of one backup: pg_dump's archive teed into the {@code .dump} upload and into
     * {@code pg_restore --file=-}, whose SQL is counted, compressed and uploaded.
     */
    static BackupRun.Plan plan(BackupRequest req, java.util.function.UnaryOperator<String> keyOf, Preflight pre,
            String compression, ChildCredentials creds, Progress progress, RowCountingStage counter,
            StandbySnapshot snapshot) {
        List<String> dumpCmd = new ArrayList<>(List.of(pre.pgDump().toString(), "--format=custom",
                "--compress=" + compressArg(compression), "--no-password", creds.dbnameArg()));
        dumpCmd.addAll(statistics(pre, req.dumpOptions().args()));
        if (snapshot != null) {
            dumpCmd.add(snapshot.pgDumpArg()); // the standby's snapshot whose replay position the manifest records
        }
        // The password travels in a 0600 passfile only: never argv, never the child's environment.
        List<BackupRun.Consumer> fromDump = new ArrayList<>();
        List<BackupRun.Producer> producers = new ArrayList<>();
        fromDump.add(new BackupRun.ToChild("pg_restore"));
        // Encryption is the last stage (ciphertext does not compress); hashing sees the stored bytes.
        List<Stage> encrypt = req.encrypted() ? List.of(new AgeStage(req.recipients())) : List.of();
        String age = req.encrypted() ? KeyLayout.AGE_SUFFIX : "";
        if (req.format().custom()) {
            fromDump.add(new BackupRun.ToOutput(new BackupRun.Output("dump", encrypt,
                    keyOf.apply(KeyLayout.DUMP_SUFFIX + age), "custom", compression)));
        }
        producers.add(new BackupRun.Producer("pg_dump", dumpCmd, creds.env(), fromDump, progress.archiveBytes));
        List<String> restoreCmd = new ArrayList<>(List.of(pre.pgRestore().toString(), "--file=-"));
        restoreCmd.addAll(req.dumpOptions().forRestore());
        // The script's rows are counted on their way to the compressor; with --format custom the
        // script is only counted (no key: nothing is stored).
        List<Stage> sqlStages = new ArrayList<>(List.of(new CountingStage(progress.sqlBytes), counter,
                new CompressionStage(req.sqlCompression())));
        sqlStages.addAll(encrypt);
        BackupRun.Output sql = req.format().plain()
                ? new BackupRun.Output("sql", sqlStages, keyOf.apply(req.sqlCompression().suffix() + age),
                        "plain", req.sqlCompression().label())
                : new BackupRun.Output("row-count", List.of(new CountingStage(progress.sqlBytes), counter), null, null, null);
        producers.add(new BackupRun.Producer("pg_restore", restoreCmd, creds.env(), List.of(new BackupRun.ToOutput(sql)),
                null));
        return new BackupRun.Plan(producers);
    }

    private Manifest manifest(BackupRequest req, String stem, Instant started, Instant finished, ServerInfo info,
            Preflight pre, String compression, List<Manifest.StoredObject> objects, RowCountingStage counter,
            Manifest.Standby standby) {
        ToolVersion dumpVersion = pre.dumpVersion();
        List<Manifest.Table> tables = tables(info, counter);
        long total = tables.stream().mapToLong(t -> t.rowCount() == null ? 0 : t.rowCount()).sum();
        return new Manifest(req.encrypted() ? Manifest.ENCRYPTED_FORMAT_VERSION : Manifest.FORMAT_VERSION, "pgbackup",
                Version.tool(), stem, req.label(), req.trigger(), req.slot(), started, finished,
                Duration.between(started, finished).toMillis(),
                new Manifest.Source(info.database(), req.source().redacted(), info.version().full(),
                        info.version().major(), info.sizeBytes(), standby),
                new Manifest.Dump(dumpVersion.full(), compression, req.dumpOptions().args(),
                        counter.columnOptions().isEmpty() ? null : List.copyOf(counter.columnOptions()),
                        statistics(pre, req.dumpOptions().args()).contains("--statistics") ? Boolean.TRUE : null),
                objects, tables, new Manifest.Rows(Manifest.Rows.DUMP_STREAM, total, counter.largeObjects()),
                req.encrypted() ? new Manifest.Encryption(Manifest.Encryption.AGE, req.recipients().keys()) : null);
    }

    /**
     * The tables the dump holds (as its script creates them), with the rows counted in its COPY
     * blocks; the server's list adds the planner's estimates and which tables are partitioned. A
     * table of the dump without a COPY block has no data in it: partitioned, or excluded.
     */
    static List<Manifest.Table> tables(ServerInfo info, RowCountingStage counter) {
        java.util.Map<RowCountingStage.Table, TableInfo> server = new java.util.HashMap<>();
        for (TableInfo t : info.tables()) {
            server.put(new RowCountingStage.Table(t.schema(), t.name()), t);
        }
        java.util.SortedSet<RowCountingStage.Table> inDump = new java.util.TreeSet<>(
                java.util.Comparator.comparing(RowCountingStage.Table::schema).thenComparing(RowCountingStage.Table::name));
        inDump.addAll(counter.tables());
        inDump.addAll(counter.rows().keySet());
        List<Manifest.Table> out = new ArrayList<>();
        for (RowCountingStage.Table t : inDump) {
            TableInfo s = server.get(t);
            long estimate = s == null ? -1 : s.rowEstimate();
            Long rows = counter.rows().get(t);
            String data = rows != null ? null : s != null && s.partitioned() ? "partitioned" : "excluded";
            out.add(new Manifest.Table(t.schema(), t.name(), estimate, rows, data));
        }
        return out;
    }

    /** The encrypted catalog of {@code m}; on failure the data objects are deleted. */
    static Manifest.StoredObject storeCatalog(ObjectStore store, KeyLayout layout, Manifest m, AgeRecipients recipients,
            List<Manifest.StoredObject> objects) throws IOException {
        String key = layout.catalogKey(m.stem());
        try {
            byte[] sealed = new AgeStage(recipients).encrypt(ManifestCodec.encode(m.contents()));
            store.put(key, new ByteArrayInputStream(sealed));
            return new Manifest.StoredObject(key, Manifest.CATALOG_FORMAT, "none", sealed.length,
                    java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(sealed)),
                    Manifest.Encryption.AGE);
        } catch (IOException | RuntimeException | java.security.NoSuchAlgorithmException e) {
            deleteQuietly(store, objects);
            throw e instanceof IOException io ? io : new IOException("cannot store " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * The manifest is the commit point; if it cannot be written, the data objects go too. An
     * encrypted backup's manifest is written without what its catalog holds.
     */
    static void commit(ObjectStore store, KeyLayout layout, Manifest m, List<Manifest.StoredObject> objects)
            throws IOException {
        try {
            store.put(layout.manifestKey(m.stem()), new ByteArrayInputStream(ManifestCodec.encode(
                    m.encrypted() ? m.readable() : m)));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(store, objects);
            throw e;
        }
    }

    static void deleteQuietly(ObjectStore store, List<Manifest.StoredObject> objects) {
        for (Manifest.StoredObject o : objects) {
            try {
                store.delete(o.key());
            } catch (IOException e) {
                log.warn("could not delete {}: {}", o.key(), e.getMessage());
            }
        }
    }

    private static void summary(Manifest m, Progress progress, List<Manifest.StoredObject> objects,
            RowCountingStage counter) {
        StringBuilder b = new StringBuilder();
        for (Manifest.StoredObject o : objects) {
            b.append(b.length() == 0 ? "" : ", ").append(o.key().substring(o.key().lastIndexOf('/') + 1))
                    .append(' ').append(Progress.bytes(o.bytes()));
        }
        long sql = progress.sqlBytes.get();
        String ratio = sql > 0 ? objects.stream().filter(o -> o.format().equals("plain")).findFirst()
                .map(o -> String.format(Locale.ROOT, " (SQL %s, %.1fx smaller)", Progress.bytes(sql),
                        (double) sql / Math.max(1, o.bytes()))).orElse("") : "";
        long stored = objects.stream().mapToLong(Manifest.StoredObject::bytes).sum();
        double secs = Math.max(0.001, m.durationMillis() / 1000.0);
        log.atInfo().addKeyValue("stem", m.stem()).addKeyValue("bytes", stored)
                .addKeyValue("rate", Math.round((sql > 0 ? sql : stored) / secs)).addKeyValue("duration", secs)
                .addKeyValue("rows", m.rows().total())
                .log("backup {} complete: {}{} in {}; {} rows in {} tables counted in the dump stream ({} s of CPU)", m.stem(),
                b, ratio, String.format(Locale.ROOT, "%.1f s", m.durationMillis() / 1000.0), m.rows().total(),
                m.tables().size(), String.format(Locale.ROOT, "%.2f", counter.cpuNanos() / 1e9));
    }

    private static PgBackupException missing(PgTools tools, String program) {
        return PgBackupException.config(program + " not found in " + tools.whereToLook()
                + ": install the PostgreSQL client (e.g. apt-get install postgresql-client) or set PG_BIN_DIR");
    }
}
