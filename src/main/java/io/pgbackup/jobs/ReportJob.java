package io.pgbackup.jobs;

import io.pgbackup.backup.inspect.ReportService;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.repo.Catalog;
import io.pgbackup.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The HTML status page over {@code window}, judged by {@code policy}: written to a file, uploaded
 * as {@code <prefix>/report.html} (the report command), or refreshed after the daemon's runs.
 */
public record ReportJob(Site site, Duration window, StatusPolicy policy) {
    /** Renders the page, writes it to {@code output} (or not, when null) and uploads it when asked; returns where it went. */
    public List<String> run(Path output, boolean upload) {
        return site.where().with(objects -> {
            ReportService service = service(objects);
            String html = service.render(window, policy);
            List<String> wrote = new ArrayList<>();
            if (output != null) {
                ReportService.write(html, output);
                wrote.add(output.toString());
            }
            if (upload) {
                wrote.add(service.upload(html));
            }
            return wrote;
        });
    }

    /** Best effort: a report that cannot be refreshed is one warning, never a failed job. */
    void refresh(ObjectStore objects) {
        try {
            ReportService service = service(objects);
            service.upload(service.render(window, policy));
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(ReportJob.class).warn("could not refresh {}: {}", site.where().layout().reportKey(),
                    e.getMessage());
        }
    }

    private ReportService service(ObjectStore objects) {
        return new ReportService(new Catalog(objects, site.where().layout()), site.ctx().clock());
    }
}
