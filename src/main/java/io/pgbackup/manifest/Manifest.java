package io.pgbackup.manifest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of one complete backup, written last: a backup exists if and only if its manifest
 * does. Everything that reads backups (list, restore, verify, drill, retention, tick) reads this.
 * It is composed of parts; stored and printed as one flat JSON object (see {@link ManifestJson}),
 * the same document every version of pgbackup wrote.
 *
 * @param header     the schema version (readers refuse newer ones) and the tool that wrote it
 * @param run        the stem, label, trigger and times
 * @param encryption null, or to whom the objects are encrypted; then the {@code counts} and the
 *                   dump's selection options are not here but in the encrypted {@code catalog}
 *                   object (see {@link Contents})
 * @param server     null, or a server backup: its databases (each with its own objects, tables and
 *                   rows), its globals and the databases it skipped. Then {@code objects} lists
 *                   every object of the run, {@code source} describes the server (its database is
 *                   null, its size the databases' total) and {@code counts} the totals
 */
@com.fasterxml.jackson.databind.annotation.JsonSerialize(converter = ManifestJson.ToFlat.class)
@com.fasterxml.jackson.databind.annotation.JsonDeserialize(converter = ManifestJson.FromFlat.class)
public record Manifest(
        Header header,
        Run run,
        Source source,
        Dump dump,
        List<StoredObject> objects,
        Counts counts,
        Encryption encryption,
        Server server) {

    /** The format of unencrypted backups' manifests (what pgbackup before encryption read and wrote). */
    public static final int FORMAT_VERSION = 1;
    /**
     * The format of encrypted backups' manifests: pgbackup versions that cannot decrypt refuse
     * them as newer (instead of handing ciphertext to pg_restore).
     */
    public static final int ENCRYPTED_FORMAT_VERSION = 2;
    /** The format of server backups' manifests (several databases and the globals; encrypted or not). */
    public static final int SERVER_FORMAT_VERSION = 3;
    /** The newest format this version reads. */
    public static final int NEWEST_FORMAT_VERSION = SERVER_FORMAT_VERSION;
    /** The format of a server backup's globals object (pg_dumpall --globals-only, compressed). */
    public static final String GLOBALS_FORMAT = "globals";
    /** The format of the encrypted sidecar that holds an encrypted backup's tables and row counts. */
    public static final String CATALOG_FORMAT = "catalog";
    /** The tool's name in every manifest. */
    public static final String TOOL = "pgbackup";

    /** The schema version of the document and the tool (and its version) that wrote it. */
    public record Header(int formatVersion, String tool, String toolVersion) {
        /** Written by this pgbackup, in {@code formatVersion}. */
        public static Header of(int formatVersion, String toolVersion) {
            return new Header(formatVersion, TOOL, toolVersion);
        }
    }

    /**
     * One run: the relative stem ({@code 2026/11/27/03-00-00}), the operator's label, what started
     * it ({@code adhoc} or {@code scheduled}), the cron fire time a scheduled run served, and when.
     */
    public record Run(String stem, String label, String trigger, Instant slot, Instant startedAt, Instant finishedAt,
            long durationMillis) {
        /** A run from {@code startedAt} to {@code finishedAt}, its duration between them. */
        public static Run of(String stem, String label, String trigger, Instant slot, Instant startedAt,
                Instant finishedAt) {
            return new Run(stem, label, trigger, slot, startedAt, finishedAt,
                    java.time.Duration.between(startedAt, finishedAt).toMillis());
        }
    }

    /**
     * The tables of the dump with their exact row counts, and the totals; {@code rows} is absent in
     * manifests of earlier versions. Empty for encrypted backups (their catalog holds them).
     */
    public record Counts(List<Table> tables, Rows rows) {
        public static final Counts NONE = new Counts(List.of(), null);
    }

    public int formatVersion() {
        return header.formatVersion();
    }

    public String tool() {
        return header.tool();
    }

    public String toolVersion() {
        return header.toolVersion();
    }

    public String stem() {
        return run.stem();
    }

    public String label() {
        return run.label();
    }

    public String trigger() {
        return run.trigger();
    }

    public Instant slot() {
        return run.slot();
    }

    public Instant startedAt() {
        return run.startedAt();
    }

    public Instant finishedAt() {
        return run.finishedAt();
    }

    public long durationMillis() {
        return run.durationMillis();
    }

    public List<Table> tables() {
        return counts == null || counts.tables() == null ? List.of() : counts.tables();
    }

    public Rows rows() {
        return counts == null ? null : counts.rows();
    }

    /**
     * A server backup: {@code databases} in the order they are listed, the {@code globals} object's
     * key and what it lacks ({@code globalsNote}, e.g. role passwords a non-superuser cannot read;
     * null when complete), and the databases of the server that were not backed up, with why.
     */
    public record Server(List<Database> databases, String globalsKey, String globalsNote, List<Skipped> skipped) {}

    /**
     * One database of a server backup: its size, its objects (also in the manifest's {@code
     * objects}), its tables and rows (as a one-database manifest has them; in the encrypted catalog
     * when encrypted).
     */
    public record Database(String name, long sizeBytes, List<StoredObject> objects, List<Table> tables, Rows rows) {}

    /** A database of the server that a server backup left out, and why (a template, no connections, excluded). */
    public record Skipped(String name, String reason) {}

    /** One database's tables and rows, as an encrypted server backup's catalog holds them. */
    public record DatabaseContents(String name, List<Table> tables, Rows rows) {}

    public boolean serverBackup() {
        return server != null;
    }

    /** The databases of a server backup, in order; for a one-database backup its database. */
    public List<String> databaseNames() {
        if (server == null) {
            return source == null || source.database() == null ? List.of() : List.of(source.database());
        }
        return server.databases().stream().map(Database::name).toList();
    }

    /**
     * One database of a server backup as a one-database manifest (its objects, tables, rows and
     * size; the server's version and the run's times), so restore and drill read it as any other.
     *
     * @throws IllegalArgumentException when the backup has no such database
     */
    public Manifest forDatabase(String name) {
        if (server == null) {
            if (source != null && name.equals(source.database())) {
                return this;
            }
            throw new IllegalArgumentException("backup " + stem() + " holds only the database " + databaseNames());
        }
        Database d = server.databases().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("backup " + stem() + " has no database '" + name + "'; it holds "
                        + String.join(", ", databaseNames())));
        Source s = source == null ? null : new Source(d.name(), source.uri(), source.serverVersion(), source.serverMajor(),
                d.sizeBytes(), source.standby());
        return new Manifest(header, run, s, dump, d.objects(), new Counts(d.tables() == null ? List.of() : d.tables(),
                d.rows()), encryption, null);
    }

    /** The globals object of a server backup. */
    public Optional<StoredObject> globals() {
        return object(GLOBALS_FORMAT);
    }

    /**
     * How an encrypted backup is encrypted: {@code scheme} {@code age}, to {@code recipients}
     * (public keys only). Any one of their identities decrypts every object.
     */
    public record Encryption(String scheme, List<String> recipients) {
        public static final String AGE = "age";
    }

    /**
     * What an encrypted backup keeps out of its (readable) manifest: table names, row counts and
     * the dump's selection options (which name tables). Stored as the encrypted {@code catalog}
     * object, written before the manifest; drills read it with an identity.
     */
    public record Contents(List<Table> tables, Rows rows, List<String> dumpOptions, List<DatabaseContents> databases) {
        public Contents(List<Table> tables, Rows rows, List<String> dumpOptions) {
            this(tables, rows, dumpOptions, null);
        }
    }

    public boolean encrypted() {
        return encryption != null;
    }

    /** What an encrypted backup's manifest may show: without tables, rows and selection options. */
    public Manifest readable() {
        Server s = server == null ? null : new Server(server.databases().stream().map(d -> new Database(d.name(),
                d.sizeBytes(), d.objects(), List.of(), null)).toList(), server.globalsKey(), server.globalsNote(),
                server.skipped());
        return new Manifest(header, run, source, dump == null ? null : dump.withOptions(List.of()), objects, Counts.NONE,
                encryption, s);
    }

    /** What {@link #readable} leaves out, for the encrypted catalog. */
    public Contents contents() {
        return new Contents(tables(), rows(), dump == null ? List.of() : dump.options(), server == null ? null
                : server.databases().stream().map(d -> new DatabaseContents(d.name(), d.tables(), d.rows())).toList());
    }

    /** This manifest with the contents an encrypted catalog held put back. */
    public Manifest withContents(Contents c) {
        Server s = server;
        if (s != null && c.databases() != null) {
            java.util.Map<String, DatabaseContents> byName = new java.util.HashMap<>();
            c.databases().forEach(d -> byName.put(d.name(), d));
            s = new Server(s.databases().stream().map(d -> {
                DatabaseContents dc = byName.get(d.name());
                return dc == null ? d : new Database(d.name(), d.sizeBytes(), d.objects(), dc.tables(), dc.rows());
            }).toList(), s.globalsKey(), s.globalsNote(), s.skipped());
        }
        return new Manifest(header, run, source, dump == null ? null : dump.withOptions(
                c.dumpOptions() == null ? List.of() : c.dumpOptions()),
                objects, new Counts(c.tables() == null ? List.of() : c.tables(), c.rows()), encryption, s);
    }

    /**
     * The database the backup was taken from; {@code uri} is redacted; {@code standby} when the
     * server was a hot standby (null: a primary).
     */
    public record Source(String database, String uri, String serverVersion, int serverMajor, long sizeBytes,
            Standby standby) {
        public Source(String database, String uri, String serverVersion, int serverMajor, long sizeBytes) {
            this(database, uri, serverVersion, serverMajor, sizeBytes, null);
        }
    }

    /**
     * What a backup taken from a hot standby holds: the WAL position replayed when its snapshot was
     * taken ({@code replayLsn}), the commit time of the last transaction replayed
     * ({@code replayTimestamp}), and the primary's time its data is current as of ({@code dataAsOf},
     * null when unknown). A server backup records its earliest database's.
     */
    public record Standby(String replayLsn, Instant replayTimestamp, Instant dataAsOf) {}

    /**
     * The time the backup's data is current as of, when that is not its start: a standby's
     * {@code dataAsOf}; else null (a primary's backup holds the data as of its start).
     */
    public Instant dataAsOf() {
        return source == null || source.standby() == null ? null : source.standby().dataAsOf();
    }

    /** The time freshness is judged by: the data's time when known, else when the backup finished. */
    public Instant freshAsOf() {
        Instant d = dataAsOf();
        return d != null ? d : finishedAt();
    }

    /**
     * How pg_dump ran: its version, archive compression and the selection options passed through;
     * {@code columnOptions}: the names of the column options the dump sets (null: none, or a
     * backup older than this field), which a restore checks its target knows; {@code statistics}:
     * true when the dump carries the planner's statistics (pg_dump 18 and newer; null: it does not).
     */
    public record Dump(String pgDumpVersion, String compression, List<String> options, List<String> columnOptions,
            Boolean statistics) {
        public Dump(String pgDumpVersion, String compression, List<String> options) {
            this(pgDumpVersion, compression, options, null, null);
        }

        /** The same dump with other selection options (an encrypted manifest shows none). */
        public Dump withOptions(List<String> other) {
            return new Dump(pgDumpVersion, compression, other, columnOptions, statistics);
        }
    }

    /**
     * One stored object. {@code bytes} and {@code sha256} were measured on the bytes as uploaded.
     *
     * @param format      {@code custom} (pg_restore archive) or {@code plain} (SQL script)
     * @param compression for plain: {@code zstd}, {@code gzip} or {@code none}; for custom: pg_dump's
     * @param encryption  null, or {@code age}: the stored bytes are an age file of the above
     */
    public record StoredObject(String key, String format, String compression, long bytes, String sha256,
            String encryption) {
        public StoredObject(String key, String format, String compression, long bytes, String sha256) {
            this(key, format, compression, bytes, sha256, null);
        }

        public boolean encrypted() {
            return encryption != null;
        }

        public StoredObject withKey(String other) {
            return new StoredObject(other, format, compression, bytes, sha256, encryption);
        }
    }

    /**
     * A table of the backup. {@code rowCount} is exact: counted from the dump stream (its own rows,
     * as {@code SELECT count(*) FROM ONLY} sees them), or, in manifests written before pgbackup
     * counted the stream, with {@code --count-rows}; null when the dump holds no data of it.
     * {@code data} says why it has none: {@code excluded} (--exclude-table-data, a schema-only
     * dump, an unlogged table left out) or {@code partitioned} (its rows are in its partitions);
     * null when the rows were counted. {@code rowEstimate} is the planner's, for reports only.
     */
    public record Table(String schema, String name, long rowEstimate, Long rowCount, String data) {
        public Table(String schema, String name, long rowEstimate, Long rowCount) {
            this(schema, name, rowEstimate, rowCount, null);
        }

        public String qualified() {
            return schema + "." + name;
        }
    }

    /**
     * How the row counts were obtained ({@code source}: {@code dump-stream}), their total and the
     * number of large objects in the dump. Absent in manifests of earlier versions.
     */
    public record Rows(String source, long total, long largeObjects) {
        public static final String DUMP_STREAM = "dump-stream";
    }

    /** Whether the row counts are exact counts of the dump (drills compare them, and nothing else). */
    public boolean exactRowCounts() {
        return rows() != null && Rows.DUMP_STREAM.equals(rows().source());
    }

    /** The stored object of {@code format} ({@code custom}, {@code plain}, {@code catalog}). */
    public Optional<StoredObject> object(String format) {
        return objects.stream().filter(o -> o.format().equals(format)).findFirst();
    }

    public long totalBytes() {
        return objects.stream().mapToLong(StoredObject::bytes).sum();
    }

    /** The dump's objects (archives, scripts, globals), without the encrypted catalog. */
    public List<StoredObject> dataObjects() {
        return objects.stream().filter(o -> !CATALOG_FORMAT.equals(o.format())).toList();
    }

    /** This manifest with every object's key mapped by {@code relocate} (a copy in another store's prefix). */
    public Manifest relocated(java.util.function.UnaryOperator<String> relocate) {
        Server s = server == null ? null : new Server(server.databases().stream().map(d -> new Database(d.name(),
                d.sizeBytes(), d.objects().stream().map(o -> o.withKey(relocate.apply(o.key()))).toList(), d.tables(),
                d.rows())).toList(), server.globalsKey() == null ? null : relocate.apply(server.globalsKey()),
                server.globalsNote(), server.skipped());
        return new Manifest(header, run, source, dump, objects.stream().map(o -> o.withKey(relocate.apply(o.key())))
                .toList(), counts, encryption, s);
    }

    /** This manifest with other objects (the catalog added), everything else the same. */
    public Manifest withObjects(List<StoredObject> newObjects) {
        return new Manifest(header, run, source, dump, newObjects, counts, encryption, server);
    }
}
