package io.pgbackup.repo;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pipeline.DigestingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One read of a stored object, opened by {@link ObjectReader}: the stored bytes are counted and
 * hashed as they pass, whichever layer the consumer reads ({@link #stored} or the decoded
 * {@link #content}). The three ways it can end are kept apart:
 * <ul>
 *   <li>the store fails: reads throw {@link StoredReadException} (exit 6);</li>
 *   <li>the consumer fails (a child exits): the caller reports that, after {@link #finish};</li>
 *   <li>the bytes are wrong: {@link #finish} reads what is left and throws INTEGRITY (exit 8)
 *       when size or SHA-256 differ from the manifest. Only a complete read can say so.</li>
 * </ul>
 */
public final class StoredRead implements AutoCloseable {
    private final Manifest.StoredObject object;
    private final InputStream raw;
    private final DigestingInputStream hashed;
    private final InputStream storedView;
    private final InputStream content;
    private String sha256;

    StoredRead(Manifest.StoredObject object, InputStream raw, Decoder decoder) throws IOException {
        this.object = object;
        this.raw = raw;
        this.hashed = new DigestingInputStream(new TransportFailures(raw, object.key()));
        this.storedView = new NonClosing(hashed);
        this.content = decoder.decode(storedView);
    }

    /** Builds the decoded view over the stored bytes (decrypt, decompress); identity for none. */
    @FunctionalInterface
    interface Decoder {
        InputStream decode(InputStream stored) throws IOException;
    }

    public Manifest.StoredObject object() {
        return object;
    }

    /** The bytes as stored (hashed as they pass). */
    public InputStream stored() {
        return storedView;
    }

    /** The decoded bytes: what the object holds once its stages (encryption, SQL compression) are undone. */
    public InputStream content() {
        return content;
    }

    /** Stored bytes read so far. */
    public long count() {
        return hashed.count();
    }

    /**
     * Reads the rest of the stored bytes (a consumer may stop early) and checks size and SHA-256.
     *
     * @throws PgBackupException INTEGRITY when the object does not match its manifest
     * @throws StoredReadException when the store fails while the rest is read
     */
    public void finish() throws IOException {
        if (sha256 == null) {
            hashed.transferTo(OutputStream.nullOutputStream());
            sha256 = hashed.sha256Hex();
        }
        if (!matches()) {
            throw new PgBackupException(ExitCode.INTEGRITY, object.key() + " does not match its manifest: read "
                    + hashed.count() + " bytes with SHA-256 " + sha256 + ", expected " + object.bytes() + " bytes with "
                    + object.sha256() + ": the stored object is corrupted");
        }
    }

    /** After {@link #finish}: whether size and digest match (finish throws when they do not). */
    public boolean matches() {
        return sha256 != null && hashed.count() == object.bytes() && sha256.equals(object.sha256());
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    /** Marks every failure of the store's stream as a transport failure, naming the key. */
    private static final class TransportFailures extends FilterInputStream {
        private final String key;

        TransportFailures(InputStream in, String key) {
            super(in);
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw wrap(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw wrap(e);
            }
        }

        private IOException wrap(IOException e) {
            return e instanceof StoredReadException || e instanceof java.io.InterruptedIOException ? e
                    : new StoredReadException(key, e);
        }
    }

    /** Keeps a decoder's close from closing the hashed stream underneath. */
    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
