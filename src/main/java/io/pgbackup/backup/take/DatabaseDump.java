package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.Destination;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ChildCredentials;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pg.StandbySnapshot;
import io.pgbackup.pg.TableInfo;
import io.pgbackup.pipeline.CompressionStage;
import io.pgbackup.pipeline.CountingStage;
import io.pgbackup.pipeline.RowCountingStage;
import io.pgbackup.pipeline.Stage;
import io.pgbackup.pipeline.age.AgeStage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dump of one database, as both kinds of backup take it: pg_dump's custom archive teed into
 * the {@code .dump} uploads and into {@code pg_restore --file=-}, whose script is counted (exact
 * rows per table), compressed, maybe encrypted and uploaded. On a hot standby pg_dump runs in a
 * snapshot pgbackup exported, whose replay position the manifest records.
 *
 * @param database null for a one-database backup (its objects take the stem); a server backup's
 *                 database name (its objects go under {@code <stem>/<database>})
 */
record DatabaseDump(BackupRequest request, SourceCheck check, String database, Duration progressEvery,
        Previous previous) {
    private static final Logger log = LoggerFactory.getLogger(DatabaseDump.class);

    /** The first pg_dump and server major that dump and restore the planner's statistics. */
    static final int STATISTICS_MAJOR = 18;

    /** What one database's dump produced: its objects in each destination, and what its script held. */
    record Result(Map<Destination, List<Manifest.StoredObject>> objects, List<Manifest.Table> tables, Manifest.Rows rows,
            SortedSet<String> columnOptions, Manifest.Standby standby, RowCountingStage counter, Progress progress) {}

    /** pg_dump's archive compression for its major: zstd from 16 on, fast gzip before. */
    String compression() {
        return check.dumpVersion().major() >= 16 ? "zstd:1" : "gzip:1";
    }

    /** Runs the dump into every destination; throws having left nothing behind. */
    Result run(String stem, Fanout to, Cancellation cancellation) throws IOException {
        ServerInfo info = check.info();
        try (ChildCredentials creds = ChildCredentials.of(request.source());
                Progress progress = new Progress(info.sizeBytes(), previous.bytes(database, "custom"), progressEvery, database);
                StandbySnapshot snapshot = info.standby() == null ? null : StandbySnapshot.export(request.source())) {
            if (snapshot != null && snapshot.point() != null) {
                log.info("the source is a hot standby: the dump{} holds the primary as replayed to {}{}",
                        database == null ? "" : " of " + database, snapshot.point().replayLsn(),
                        snapshot.point().asOf() == null ? "" : ", data as of " + snapshot.point().asOf());
            }
            RowCountingStage counter = new RowCountingStage();
            BackupRun.Plan plan = plan(stem, creds, progress, counter, snapshot);
            Map<Destination, List<Manifest.StoredObject>> objects = execute(new BackupRun(to, plan), snapshot,
                    cancellation);
            List<Manifest.Table> tables = tables(info, counter);
            long rows = tables.stream().mapToLong(t -> t.rowCount() == null ? 0 : t.rowCount()).sum();
            return new Result(objects, tables, new Manifest.Rows(Manifest.Rows.DUMP_STREAM, rows, counter.largeObjects()),
                    counter.columnOptions(), standby(snapshot), counter, progress);
        }
    }

    /**
     * The most an object of {@code format} is expected to reach: the database's size ({@code factor}
     * times it for an uncompressed script, whose text can be larger than the data on disk: bytea in
     * hex, numbers as text), or what the same object of the previous backup took, if more.
     */
    long expected(String format, int factor) {
        return Math.max(factor * check.info().sizeBytes(), previous.bytes(database, format));
    }

    /** The uploads this dump runs at once (per destination): its archive and its script, as stored. */
    List<Long> expectedUploads() {
        List<Long> out = new ArrayList<>();
        if (request.what().format().custom()) {
            out.add(expected("custom", 1));
        }
        if (request.what().format().plain()) {
            out.add(expected("plain", request.what().sqlCompression() == io.pgbackup.pipeline.SqlCompression.NONE ? 3 : 1));
        }
        return out;
    }

    /** How pg_dump ran, as the manifest records it. */
    Manifest.Dump dumpRecord(SortedSet<String> columnOptions) {
        List<String> options = request.what().dumpOptions().args();
        return new Manifest.Dump(check.dumpVersion().full(), compression(), options,
                columnOptions.isEmpty() ? null : List.copyOf(columnOptions),
                statistics(options).contains("--statistics") ? Boolean.TRUE : null);
    }

    /**
     * Runs the streams; a dump that failed because replay ended the standby's snapshot says so,
     * whatever pg_dump printed (it may only have seen its snapshot vanish).
     */
    private static Map<Destination, List<Manifest.StoredObject>> execute(BackupRun run, StandbySnapshot snapshot,
            Cancellation cancellation) {
        try {
            return run.execute(cancellation);
        } catch (PgBackupException e) {
            if (e.exitCode() == ExitCode.DUMP_FAILED && snapshot != null && !e.getMessage().contains("recovery conflict")
                    && snapshot.endedByRecoveryConflict()) {
                throw new PgBackupException(ExitCode.DUMP_FAILED, "pg_dump " + StandbySnapshot.RECOVERY_CONFLICT + " ("
                        + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    /** What the manifest records of a standby's snapshot; null on a primary. */
    private static Manifest.Standby standby(StandbySnapshot snapshot) {
        if (snapshot == null || snapshot.point() == null) {
            return null;
        }
        StandbySnapshot.Point p = snapshot.point();
        return new Manifest.Standby(p.replayLsn(), p.replayTimestamp(), p.asOf());
    }

    /**
     * The dump options, with {@code --statistics} (the planner's statistics, pg_dump 18) only
     * where it can work: asked for in PG_DUMP_OPTIONS, a pg_dump of 18 or newer, and a server of
     * 18 or newer (only those load them). Off by default, as in pg_dump: measured on the
     * benchmark's data, restoring them made the restore 45% slower (the foreign keys' validation
     * planned for the source's all-visible pages, which a fresh restore does not have) to save an
     * ANALYZE of half a second. Elsewhere both flags are dropped, with a note for --statistics.
     */
    List<String> statistics(List<String> options) {
        List<String> out = new ArrayList<>(options);
        boolean possible = check.tools().major() >= STATISTICS_MAJOR && check.info().version().major() >= STATISTICS_MAJOR;
        if (!possible) {
            if (out.remove("--statistics")) {
                log.info("--statistics left out: planner statistics need pg_dump {} and a server of {} or newer (here "
                        + "pg_dump {}, server {})", STATISTICS_MAJOR, STATISTICS_MAJOR, check.tools().major(),
                        check.info().version());
            }
            out.remove("--no-statistics");
        }
        return out;
    }

    /**
     * The streams: pg_dump's archive teed into the {@code .dump} uploads and into
     * {@code pg_restore --file=-}, whose SQL is counted, compressed and uploaded.
     */
    private BackupRun.Plan plan(String stem, ChildCredentials creds, Progress progress, RowCountingStage counter,
            StandbySnapshot snapshot) {
        BackupRequest.Contents what = request.what();
        String compression = compression();
        // pg_dump before 16 takes a bare gzip level; 16+ takes method:level.
        String compressArg = compression.startsWith("gzip:") ? compression.substring(5) : compression;
        // The password travels in a 0600 passfile only: never argv, never the child's environment.
        List<String> dumpCmd = new ArrayList<>(List.of(check.pgDump().toString(), "--format=custom",
                "--compress=" + compressArg, "--no-password", creds.dbnameArg()));
        dumpCmd.addAll(statistics(what.dumpOptions().args()));
        if (snapshot != null) {
            dumpCmd.add(snapshot.pgDumpArg()); // the standby's snapshot whose replay position the manifest records
        }
        List<BackupRun.Consumer> fromDump = new ArrayList<>();
        fromDump.add(new BackupRun.ToChild("pg_restore"));
        // Encryption is the last stage (ciphertext does not compress); hashing sees the stored bytes.
        boolean encrypted = what.encrypted();
        List<Stage> encrypt = encrypted ? List.of(new AgeStage(what.recipients())) : List.of();
        if (what.format().custom()) {
            Function<KeyLayout, String> key = l -> l.archiveKey(stem, database, encrypted);
            fromDump.add(new BackupRun.ToOutput(new BackupRun.Output("dump", encrypt, key, "custom", compression,
                    expected("custom", 1))));
        }
        List<BackupRun.Producer> producers = new ArrayList<>();
        producers.add(new BackupRun.Producer("pg_dump", dumpCmd, creds.env(), fromDump, progress.archiveBytes));
        List<String> restoreCmd = new ArrayList<>(List.of(check.pgRestore().toString(), "--file=-"));
        restoreCmd.addAll(what.dumpOptions().forRestore());
        // The script's rows are counted on their way to the compressor; with --format custom the
        // script is only counted (no key: nothing is stored).
        List<Stage> sqlStages = new ArrayList<>(List.of(new CountingStage(progress.sqlBytes), counter,
                new CompressionStage(what.sqlCompression())));
        sqlStages.addAll(encrypt);
        String label = what.sqlCompression().label();
        BackupRun.Output sql = what.format().plain()
                ? new BackupRun.Output("sql", sqlStages, l -> l.scriptKey(stem, database, label, encrypted), "plain", label,
                        expected("plain", what.sqlCompression() == io.pgbackup.pipeline.SqlCompression.NONE ? 3 : 1))
                : new BackupRun.Output("row-count", List.of(new CountingStage(progress.sqlBytes), counter), null, null, null);
        producers.add(new BackupRun.Producer("pg_restore", restoreCmd, creds.env(), List.of(new BackupRun.ToOutput(sql)),
                null));
        return new BackupRun.Plan(producers);
    }

    /**
     * The tables the dump holds (as its script creates them), with the rows counted in its COPY
     * blocks; the server's list adds the planner's estimates and which tables are partitioned. A
     * table of the dump without a COPY block has no data in it: partitioned, or excluded.
     */
    static List<Manifest.Table> tables(ServerInfo info, RowCountingStage counter) {
        Map<RowCountingStage.Table, TableInfo> server = new HashMap<>();
        for (TableInfo t : info.tables()) {
            server.put(new RowCountingStage.Table(t.schema(), t.name()), t);
        }
        SortedSet<RowCountingStage.Table> inDump = new TreeSet<>(
                Comparator.comparing(RowCountingStage.Table::schema).thenComparing(RowCountingStage.Table::name));
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
}
