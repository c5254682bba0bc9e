package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The one way restore, verify, download and drill read a backup's objects: by manifest entry,
 * resumed by the store when a connection breaks, counted and hashed over the stored bytes, with
 * the stages the backup applied undone in reverse order. See {@link StoredRead} for how it
 * tells transport, consumer and integrity failures apart.
 */
public final class ObjectReader {
    /** How far to undo a backup's stages. */
    public enum Layer {
        /** The stored bytes. */
        STORED,
        /** What was compressed: the archive, or the compressed SQL script (decrypted when encrypted). */
        PAYLOAD,
        /** The archive, or the SQL script decompressed. */
        CONTENT
    }

    private final ObjectStore store;

    public ObjectReader(ObjectStore store) {
        this.store = store;
    }

    public ObjectStore store() {
        return store;
    }

    /**
     * Opens {@code object} for reading at {@code layer}.
     *
     * @throws PgBackupException INTEGRITY when the store does not have the object
     * @throws StoredReadException when the store cannot be read
     */
    public StoredRead open(Manifest.StoredObject object, Layer layer) throws IOException {
        InputStream raw;
        try {
            raw = store.get(object.key());
        } catch (ObjectNotFoundException e) {
            throw new PgBackupException(ExitCode.INTEGRITY, "the manifest lists " + object.key()
                    + " but the store does not have it", e);
        } catch (IOException e) {
            throw new StoredReadException(object.key(), e);
        }
        return new StoredRead(object, raw, stored -> decoder(object, layer, stored));
    }

    private static InputStream decoder(Manifest.StoredObject object, Layer layer, InputStream stored) throws IOException {
        if (layer == Layer.CONTENT && "plain".equals(object.format())) {
            return compression(object).decompress(stored);
        }
        return stored;
    }

    static SqlCompression compression(Manifest.StoredObject object) {
        try {
            return SqlCompression.valueOf(object.compression().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PgBackupException(ExitCode.INTEGRITY, object.key() + " has an unknown compression '"
                    + object.compression() + "' in its manifest");
        }
    }
}
