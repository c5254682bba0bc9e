package io.pgbackup.backup.restore;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ScratchFiles;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.repo.StoredRead;
import io.pgbackup.repo.StoredReadException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a backup's objects and its manifest into a local directory through the one
 * {@link ObjectReader}: each is written to a scratch file, checked against the manifest (size
 * and SHA-256 of the stored bytes), and only then given its name. A failed download leaves no
 * file behind; one killed midway leaves a scratch file that the next download there removes.
 */
public final class DownloadService {
    private static final String KIND = "pgbackup-download";
    private final ObjectReader reader;
    private final Cancellation cancellation;

    public DownloadService(ObjectReader reader, Cancellation cancellation) {
        this.reader = reader;
        this.cancellation = cancellation;
    }

    /**
     * Downloads {@code m} into {@code dir}; returns the files written, manifest last. At
     * {@link ObjectReader.Layer#STORED} encrypted objects stay encrypted ({@code .age}); at any
     * other layer they are decrypted (exit 14 without a matching identity) and lose the suffix.
     */
    public List<Path> download(Manifest m, Path dir, ObjectReader.Layer layer) {
        try {
            if (layer != ObjectReader.Layer.STORED) {
                reader.requireKeyFor(m);
            }
            Files.createDirectories(dir);
            ScratchFiles.sweep(dir, KIND);
            for (Manifest.StoredObject o : m.objects()) {
                Path file = dir.resolve(fileName(o, layer));
                if (Files.exists(file)) {
                    throw PgBackupException.config(file + " already exists: download into an empty directory (-o DIR)");
                }
            }
            List<Path> written = new ArrayList<>();
            for (Manifest.StoredObject o : m.objects()) {
                cancellation.check("during the download");
                written.add(one(o, dir, layer));
            }
            Path manifest = dir.resolve(fileName(new KeyLayout("").manifestKey(m.stem()))); // its name in the store
            Files.write(manifest, ManifestCodec.encode(m));
            written.add(manifest);
            return written;
        } catch (StoredReadException e) {
            throw new PgBackupException(ExitCode.STORAGE, e.getMessage(), e);
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "download into " + dir + " failed: " + e.getMessage(), e);
        }
    }

    private Path one(Manifest.StoredObject o, Path dir, ObjectReader.Layer layer) throws IOException {
        Path file = dir.resolve(fileName(o, layer));
        Path part = ScratchFiles.create(dir, KIND, "-" + file.getFileName());
        boolean ok = false;
        try (StoredRead read = reader.open(o, layer); OutputStream out = Files.newOutputStream(part)) {
            try {
                io.pgbackup.pipeline.Copy.copy(layer == ObjectReader.Layer.STORED ? read.stored() : read.content(), out);
            } catch (io.pgbackup.pipeline.age.AgeDecryption.UndecryptableException e) {
                read.finish(); // a size or SHA-256 mismatch is the clearer message
                throw new PgBackupException(ExitCode.INTEGRITY, e.getMessage(), e);
            }
            read.finish();
            ok = true;
        } finally {
            if (!ok) {
                ScratchFiles.delete(part);
            }
        }
        Files.move(part, file);
        ScratchFiles.delete(part); // forget it: it has its final name now
        return file;
    }

    private static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** The object's file name; decrypted objects lose {@code .age}. */
    static String fileName(Manifest.StoredObject o, ObjectReader.Layer layer) {
        String name = fileName(o.key());
        return o.encrypted() && layer != ObjectReader.Layer.STORED ? KeyLayout.decryptedName(name) : name;
    }
}
