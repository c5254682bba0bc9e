package io.pgbackup.backup.inspect;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.Version;
import io.pgbackup.health.Health;
import io.pgbackup.health.HtmlReport;
import io.pgbackup.health.Status;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.repo.Catalog;
import io.pgbackup.storage.ObjectChangedException;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The HTML status page of a prefix ({@link HtmlReport}), from the store alone: written to a file
 * (temp file and rename, never half-written) and/or uploaded as {@code <prefix>/report.html},
 * replacing the previous one.
 */
public record ReportService(Catalog catalog, Clock clock) {
    /** The page over the last {@code days}, with the status computed from the same reading. */
    public String render(Duration window, StatusPolicy policy) {
        Instant now = clock.instant();
        StatusService.Snapshot s = new StatusService(catalog, clock).read(now.minus(window), policy.history() + 1, true);
        Status status = Health.evaluate(s.input(), policy);
        String title = "pgbackup: " + catalog.store().describe().replaceFirst(" at .*", "")
                + (catalog.layout().prefix().isEmpty() ? "" : "/" + catalog.layout().prefix());
        return HtmlReport.render(new HtmlReport.Page(title, status, s.backups(), s.drills(), policy.schedule(),
                policy.grace(), now.minus(window), now, Version.tool()));
    }

    public static void write(String html, Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, html, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot write the report to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Stores the page as {@code <prefix>/report.html}, replacing the previous one; returns its key. */
    public String upload(String html) {
        String key = catalog.layout().reportKey();
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                Optional<ObjectInfo> now = catalog.store().stat(key);
                try {
                    if (now.isEmpty()) {
                        catalog.store().put(key, new ByteArrayInputStream(bytes));
                    } else {
                        catalog.store().replace(key, bytes, now.get().version());
                    }
                    return key;
                } catch (ObjectExistsException | ObjectChangedException e) {
                    // another run refreshed it meanwhile: ours is as fresh, try again
                }
            }
            throw new PgBackupException(ExitCode.STORAGE, "cannot upload " + key + ": it kept changing under us");
        } catch (IOException e) {
            throw new PgBackupException(ExitCode.STORAGE, "cannot upload the report " + key + ": " + e.getMessage(), e);
        }
    }
}
