package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.Destination;
import io.pgbackup.Version;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pipeline.age.AgeRecipients;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A backup of one database: its archive and script at {@code <stem>.dump} and {@code <stem>.sql.zst}. */
public final class OneDatabase implements BackupKind<DatabaseDump.Result> {
    private static final Logger log = LoggerFactory.getLogger(OneDatabase.class);
    private final DatabaseDump dump;

    /**
     * A backup of {@code request}'s database, once {@code check} passed; {@code previous} (what the
     * last backup of it stored) sizes the uploads' parts with the database's size.
     */
    public OneDatabase(BackupRequest request, SourceCheck check, Duration progressEvery, Previous previous) {
        this.dump = new DatabaseDump(request, check, null, progressEvery, previous);
    }

    /** Checks the source and prepares the backup (tests, and callers with nothing to overlap the check with). */
    public static OneDatabase of(BackupRequest request, PgTools tools, Duration progressEvery) {
        return of(request, tools, progressEvery, Previous.NONE);
    }

    public static OneDatabase of(BackupRequest request, PgTools tools, Duration progressEvery, Previous previous) {
        return new OneDatabase(request, SourceCheck.of(request.source(), tools), progressEvery, previous);
    }

    @Override
    public String describe(String where) {
        ServerInfo info = dump.check().info();
        return String.format(Locale.ROOT, "backing up %s (%s on PostgreSQL %s, %s) with pg_dump %s to %s", info.database(),
                Progress.bytes(info.sizeBytes()), info.version(), dump.request().source().redacted(),
                dump.check().dumpVersion(), where);
    }

    @Override
    public DatabaseDump.Result take(String stem, Fanout to, Cancellation cancellation) throws IOException {
        return dump.run(stem, to, cancellation);
    }

    @Override
    public List<Manifest.StoredObject> objects(DatabaseDump.Result taken, Destination d) {
        return taken.objects().get(d);
    }

    @Override
    public Manifest manifest(Stamp stamp, DatabaseDump.Result taken, List<Manifest.StoredObject> objects) {
        BackupRequest req = dump.request();
        ServerInfo info = dump.check().info();
        return new Manifest(
                Manifest.Header.of(req.encrypted() ? Manifest.ENCRYPTED_FORMAT_VERSION : Manifest.FORMAT_VERSION,
                        Version.tool()),
                Manifest.Run.of(stamp.stem(), req.occasion().label(), req.occasion().trigger().label(),
                        req.occasion().slot(), stamp.startedAt(), stamp.finishedAt()),
                new Manifest.Source(info.database(), req.source().redacted(), info.version().full(), info.version().major(),
                        info.sizeBytes(), taken.standby()),
                dump.dumpRecord(taken.columnOptions()), objects, new Manifest.Counts(taken.tables(), taken.rows()),
                req.encrypted() ? new Manifest.Encryption(Manifest.Encryption.AGE, req.what().recipients().keys()) : null,
                null);
    }

    @Override
    public List<Long> expectedUploads() {
        return dump.expectedUploads();
    }

    @Override
    public AgeRecipients recipients() {
        return dump.request().what().recipients();
    }

    @Override
    public void committed(Manifest m, DatabaseDump.Result taken) {
        StringBuilder b = new StringBuilder();
        for (Manifest.StoredObject o : m.objects()) {
            b.append(b.length() == 0 ? "" : ", ").append(o.key().substring(o.key().lastIndexOf('/') + 1))
                    .append(' ').append(Progress.bytes(o.bytes()));
        }
        long sql = taken.progress().sqlBytes.get();
        String ratio = sql > 0 ? m.objects().stream().filter(o -> o.format().equals("plain")).findFirst()
                .map(o -> String.format(Locale.ROOT, " (SQL %s, %.1fx smaller)", Progress.bytes(sql),
                        (double) sql / Math.max(1, o.bytes()))).orElse("") : "";
        long stored = m.totalBytes();
        double secs = Math.max(0.001, m.durationMillis() / 1000.0);
        log.atInfo().addKeyValue("stem", m.stem()).addKeyValue("bytes", stored)
                .addKeyValue("rate", Math.round((sql > 0 ? sql : stored) / secs)).addKeyValue("duration", secs)
                .addKeyValue("rows", m.rows().total())
                .log("backup {} complete: {}{} in {}; {} rows in {} tables counted in the dump stream ({} s of CPU)",
                        m.stem(), b, ratio, String.format(Locale.ROOT, "%.1f s", m.durationMillis() / 1000.0),
                        m.rows().total(), m.tables().size(),
                        String.format(Locale.ROOT, "%.2f", taken.counter().cpuNanos() / 1e9));
    }
}
