package io.pgbackup.notify.metrics;

import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same samples in a file for node_exporter's textfile collector ({@code METRICS_FILE}). The
 * file is read, this run's series replace their older values (a failure leaves the success
 * samples), and it is written to a temp file and renamed in the same directory: a scrape never
 * sees a half-written file.
 */
public final class TextfileChannel extends MetricsChannel {
    private final Path file;

    public TextfileChannel(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void finished(RunInfo run, Outcome o) throws IOException {
        Map<String, Sample> merged = new LinkedHashMap<>();
        try {
            for (Sample s : Exposition.read(Files.readString(file, StandardCharsets.UTF_8))) {
                merged.put(s.series(), s);
            }
        } catch (NoSuchFileException e) {
            // the first run writes it
        }
        List<Sample> mine = RunMetrics.samples(run, o);
        for (Sample s : mine) {
            merged.put(s.series(), s);
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            // createTempFile makes it 0600 and the rename keeps that, but node_exporter runs as a
            // user of its own: the file holds metrics only (no credentials), so it is world-readable.
            if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.writeString(tmp, Exposition.write(new ArrayList<>(merged.values())), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String describe() {
        return "metrics file " + file;
    }
}
