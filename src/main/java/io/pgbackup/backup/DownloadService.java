package io.pgbackup.backup;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.ScratchFiles;
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

    /** Downloads {@code m} into {@code dir}; returns the files written, manifest last. */
    public List<Path> download(Manifest m, Path dir, ObjectReader.Layer layer) {
        try {
            Files.createDirectories(dir);
            ScratchFiles.sweep(dir, KIND);
            for (Manifest.StoredObject o : m.objects()) {
                Path file = dir.resolve(fileName(o.key()));
                if (Files.exists(file)) {
                    throw PgBackupException.config(file + " already exists: download into an empty directory (-o DIR)");
                }
            }
            List<Path> written = new ArrayList<>();
            for (Manifest.StoredObject o : m.objects()) {
                cancellation.check("during the download");
                written.add(one(o, dir, layer));
            }
            Path manifest = dir.resolve(fileName(m.stem()) + ".json");
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
        Path file = dir.resolve(fileName(o.key()));
        Path part = ScratchFiles.create(dir, KIND, "-" + file.getFileName());
        boolean ok = false;
        try (StoredRead read = reader.open(o, layer); OutputStream out = Files.newOutputStream(part)) {
            io.pgbackup.pipeline.Copy.copy(layer == ObjectReader.Layer.STORED ? read.stored() : read.content(), out);
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
}
