package io.pgbackup.jobs;

import io.pgbackup.Bytes;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.pipeline.DigestingInputStream;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.Destination;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.repo.LockProbe;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Brings the second store up to date: every backup of the first store that the second lacks is
 * copied object by object (each checked against the manifest's size and SHA-256 as it streams, and
 * locked as the second store locks backups: from the backup's start), then its manifest, last. The
 * second store's prefix lock is held throughout; a copy that fails leaves nothing of itself behind.
 * Reported as a copy run.
 */
public record SyncJob(Site site, Repository copy, LockPolicy locking) {

    /** Syncs {@code site}'s store into its second one (COPY_ settings), waiting LOCK_WAIT for the second's lock. */
    public static SyncJob of(Site site) {
        Repository copy = Repository.copy(site.ctx().env());
        if (copy == null) {
            throw PgBackupException.config("sync needs a second store: set COPY_S3_BUCKET (and its COPY_ settings) or "
                    + "COPY_BACKUP_DIR");
        }
        return new SyncJob(site, copy, copy.locking(io.pgbackup.config.Settings.copyOf(site.ctx().env()), "0"));
    }

    /** What a sync did. */
    public record Synced(List<String> copied, long bytes, int alreadyThere) {}

    /** Copies what is missing (or, with {@code dryRun}, lists it); prints a line per backup. */
    public Synced run(boolean dryRun, PrintWriter out) {
        var ctx = site.ctx();
        return site.reporting().run(Kind.COPY, "sync", Reporting.configuredDatabase(ctx.env()), ctx.cancellation(),
                () -> site.where().with(from -> copy.with(to -> sync(from, to, dryRun, out))),
                s -> Outcome.success(ctx.clock().instant(), "sync: " + s.copied().size() + " backup(s) copied to "
                        + copy.describe() + " (" + Bytes.format(s.bytes()) + "), " + s.alreadyThere() + " already there"));
    }

    private Synced sync(ObjectStore from, ObjectStore to, boolean dryRun, PrintWriter out) {
        var ctx = site.ctx();
        List<Manifest> source = new Catalog(from, site.where().layout()).all();
        if (dryRun) {
            Set<String> there = stems(new Catalog(to, copy.layout()).all());
            List<String> missing = source.stream().map(Manifest::stem).filter(s -> !there.contains(s)).toList();
            missing.forEach(s -> out.println("would copy " + s));
            out.println("dry run: " + missing.size() + " backup(s) to copy, " + (source.size() - missing.size())
                    + " already in " + copy.describe());
            out.flush();
            return new Synced(List.of(), 0, source.size() - missing.size());
        }
        try (PrefixLock held = locking.acquire(to, copy.layout(), "sync", ctx.clock(), ctx.cancellation())) {
            LockProbe.ensure(to, copy.layout(), copy.lock(), ctx.clock());
            Set<String> there = stems(new Catalog(to, copy.layout()).all());
            List<String> copied = new ArrayList<>();
            long bytes = 0;
            for (Manifest m : source) {
                if (there.contains(m.stem())) {
                    continue;
                }
                ctx.cancellation().check("during the sync");
                held.check();
                bytes += copyOne(from, to, m);
                copied.add(m.stem());
                out.println("copied " + m.stem());
                out.flush();
            }
            held.committed();
            out.println("copied " + copied.size() + " backup(s) (" + Bytes.format(bytes) + "), "
                    + (source.size() - copied.size()) + " already in " + copy.describe());
            out.flush();
            return new Synced(copied, bytes, source.size() - copied.size());
        }
    }

    /** One backup: its objects checked as they stream, then its manifest; nothing of it left on failure. */
    private long copyOne(ObjectStore from, ObjectStore to, Manifest m) {
        KeyLayout src = site.where().layout();
        KeyLayout dst = copy.layout();
        Destination d = copy.destination(to).startedAt(m.startedAt());
        List<String> written = new ArrayList<>();
        long bytes = 0;
        try {
            // What an interrupted sync or copy left of this stem (no manifest there: not a backup).
            for (String prefix : List.of(dst.stemObjectsPrefix(m.stem()), dst.stemDatabasesPrefix(m.stem()))) {
                for (var o : to.list(prefix)) {
                    to.delete(o.key());
                }
            }
            for (Manifest.StoredObject o : m.objects()) {
                String key = dst.relocate(o.key(), src);
                try (InputStream raw = from.get(o.key()); DigestingInputStream in = new DigestingInputStream(raw)) {
                    d.put(key, in);
                    written.add(key);
                    if (in.count() != o.bytes() || !in.sha256Hex().equals(o.sha256())) {
                        throw new PgBackupException(ExitCode.INTEGRITY, o.key() + " in " + site.where().describe()
                                + " does not match its manifest (" + in.count() + " bytes, SHA-256 " + in.sha256Hex()
                                + "): not copied; verify " + m.stem());
                    }
                }
                bytes += o.bytes();
            }
            // The manifest as it is stored (an encrypted backup's without what its catalog holds), keys moved.
            Manifest stored;
            try (InputStream in = from.get(src.manifestKey(m.stem()))) {
                stored = ManifestCodec.decode(in);
            }
            String key = dst.manifestKey(m.stem());
            d.put(key, new ByteArrayInputStream(ManifestCodec.encode(stored.relocated(k -> dst.relocate(k, src)))));
            return bytes;
        } catch (IOException | RuntimeException e) {
            for (String k : written) {
                try {
                    to.delete(k);
                } catch (IOException x) {
                    org.slf4j.LoggerFactory.getLogger(SyncJob.class).warn("could not remove {}: {}", k, x.getMessage());
                }
            }
            if (e instanceof PgBackupException p) {
                throw p;
            }
            throw new PgBackupException(ExitCode.STORAGE, "copying " + m.stem() + " to " + copy.describe() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private static Set<String> stems(List<Manifest> ms) {
        return ms.stream().map(Manifest::stem).collect(Collectors.toSet());
    }
}
