package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.pipeline.age.AgeDecryption;
import io.pgbackup.pipeline.age.AgeIdentities;
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
public record ObjectReader(ObjectStore store, AgeIdentities identities) {
    /** How far to undo a backup's stages. */
    public enum Layer {
        /** The stored bytes. */
        STORED,
        /** What was compressed: the archive, or the compressed SQL script (decrypted when encrypted). */
        PAYLOAD,
        /** The archive, or the SQL script decompressed. */
        CONTENT
    }


    /** A reader without identities: encrypted objects can be read as stored only. */
    public ObjectReader(ObjectStore store) {
        this(store, AgeIdentities.none());
    }


    /**
     * Refuses, before anything is read, an encrypted backup that none of the identities can
     * decrypt (exit 14, naming its recipients). Nothing for unencrypted backups.
     */
    public void requireKeyFor(Manifest m) {
        if (m.encrypted()) {
            identities.requireFor(m.encryption().recipients(), "backup " + m.stem());
        }
    }

    /**
     * {@code m} complete: for an encrypted backup, its tables, row counts and selection options
     * read back from its encrypted catalog (size and SHA-256 checked); {@code m} itself otherwise.
     *
     * @throws PgBackupException KEY_REQUIRED without a matching identity, INTEGRITY when the catalog
     *         is missing or does not decrypt
     */
    public Manifest complete(Manifest m) throws IOException {
        if (!m.encrypted()) {
            return m;
        }
        requireKeyFor(m);
        Manifest.StoredObject cat = m.object(Manifest.CATALOG_FORMAT).orElseThrow(() -> new PgBackupException(
                ExitCode.INTEGRITY, "backup " + m.stem() + " is encrypted but its manifest lists no catalog"));
        Manifest.Contents c;
        try (StoredRead read = open(cat, Layer.PAYLOAD)) {
            byte[] json;
            try {
                json = read.content().readAllBytes();
            } catch (AgeDecryption.UndecryptableException e) {
                read.finish(); // altered bytes say so first
                throw new PgBackupException(ExitCode.INTEGRITY, e.getMessage(), e);
            }
            read.finish();
            try {
                c = io.pgbackup.manifest.ManifestCodec.mapper().readValue(json, Manifest.Contents.class);
            } catch (IOException e) {
                throw new PgBackupException(ExitCode.INTEGRITY, cat.key() + " decrypts but is not a catalog: "
                        + e.getMessage(), e);
            }
        }
        return m.withContents(c);
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
        try {
            return new StoredRead(object, raw, stored -> decoder(object, layer, stored));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private InputStream decoder(Manifest.StoredObject object, Layer layer, InputStream stored) throws IOException {
        InputStream payload = stored;
        if (layer != Layer.STORED && object.encrypted()) {
            if (!Manifest.Encryption.AGE.equals(object.encryption())) {
                throw new PgBackupException(ExitCode.INTEGRITY, object.key() + " has an unknown encryption '"
                        + object.encryption() + "' in its manifest");
            }
            if (identities.isEmpty()) {
                throw new PgBackupException(ExitCode.KEY_REQUIRED, object.key() + " is encrypted: give an identity "
                        + "(--identity FILE, AGE_IDENTITY_FILE or AGE_IDENTITY)");
            }
            try {
                payload = AgeDecryption.open(stored, identities, object.key());
            } catch (AgeDecryption.UndecryptableException e) {
                // The header is part of the stored bytes: after the key check, a bad one is damage.
                throw new PgBackupException(ExitCode.INTEGRITY, e.getMessage(), e);
            }
        }
        if (layer == Layer.CONTENT && ("plain".equals(object.format()) || Manifest.GLOBALS_FORMAT.equals(object.format()))) {
            return compression(object).decompress(payload);
        }
        return payload;
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
