package io.pgbackup.jobs;

import io.pgbackup.backup.restore.DownloadService;
import io.pgbackup.backup.restore.RestoreRequest;
import io.pgbackup.backup.restore.RestoreService;
import io.pgbackup.backup.restore.ServerRestoreService;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pipeline.age.AgeIdentities;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.ObjectReader;
import java.nio.file.Path;
import java.util.List;

/** Reading a picked backup back: restoring one database, restoring a whole server, downloading its objects. */
public record RestoreJob(Site site, AgeIdentities keys, PgTools tools) {

    /** Reads with {@code keys} (the identities of encrypted backups) and the client tools of the environment. */
    public static RestoreJob of(Site site, AgeIdentities keys) {
        return new RestoreJob(site, keys, new PgTools(site.ctx().env()));
    }

    /** The tools' probe and the JDBC driver, loaded on the other core while the store is listed. */
    public RestoreJob warmingUp() {
        Warmup.inBackground("jdbc", () -> {
            io.pgbackup.pg.Database.preload();
            tools.toolsets();
        });
        return this;
    }

    /** What a one-database restore did: from which backup (and database of it), into which database. */
    public record Restored(Manifest backup, String database, ConnectionString into) {}

    /**
     * Restores {@code database} of {@code pick}'s backup (null: its only one) into {@code target}
     * with {@code options}; the configured source (for a server backup, that database on the
     * source server) is protected unless {@code protect} is false.
     */
    public Restored one(Pick pick, String database, ConnectionString target, RestoreRequest.Options options,
            boolean protect) {
        return site.where().with(objects -> {
            Manifest m = pick.from(new Catalog(objects, site.where().layout()));
            boolean fromServer = m.serverBackup();
            Manifest one = RestoreService.oneDatabase(m, database);
            // The source to protect is that database on the source server, not PG_URI's maintenance database.
            ConnectionString source = !protect ? null : ConnectionString.configured(site.ctx().env())
                    .map(src -> fromServer ? src.with("dbname", database) : src).orElse(null);
            ConnectionString into = new RestoreService(new ObjectReader(objects, keys), tools, site.ctx().cancellation())
                    .restore(new RestoreRequest(one, target, options.protecting(source)));
            return new Restored(one, fromServer ? database : null, into);
        });
    }

    /** What a whole-server restore did. */
    public record RestoredServer(Manifest backup, ServerRestoreService.Result result) {}

    /** Restores every database of {@code pick}'s server backup onto {@code server}, {@code jobs} at a time each. */
    public RestoredServer all(Pick pick, ConnectionString server, int jobs, Path tempDir) {
        return site.where().with(objects -> {
            Manifest m = pick.from(new Catalog(objects, site.where().layout()));
            return new RestoredServer(m, new ServerRestoreService(new ObjectReader(objects, keys), tools,
                    site.ctx().cancellation()).restore(new ServerRestoreService.Request(m, server, jobs, tempDir)));
        });
    }

    /** Downloads {@code pick}'s objects into {@code dir}: decrypted, or as stored when {@code raw}. */
    public List<Path> download(Pick pick, Path dir, boolean raw) {
        return site.where().with(objects -> {
            Manifest m = pick.from(new Catalog(objects, site.where().layout()));
            return new DownloadService(new ObjectReader(objects, keys), site.ctx().cancellation())
                    .download(m, dir, raw ? ObjectReader.Layer.STORED : ObjectReader.Layer.PAYLOAD);
        });
    }
}
