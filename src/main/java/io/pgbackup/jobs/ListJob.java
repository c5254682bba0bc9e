package io.pgbackup.jobs;

import io.pgbackup.Bytes;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.repo.Catalog;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The list command's reads: complete backups (manifests), or what interrupted ones left. */
public record ListJob(Site site) {
    /** Which backups: started in [{@code from}, {@code to}) (either null: open), with {@code label}, the {@code last} newest. */
    public record Filter(Instant from, Instant to, String label, Integer last) {
        boolean matches(Manifest m) {
            return (from == null || !m.startedAt().isBefore(from)) && (to == null || m.startedAt().isBefore(to))
                    && (label == null || label.equals(m.label()));
        }
    }

    /** The complete backups {@code filter} selects, newest first. */
    public List<Manifest> backups(Filter filter) {
        return site.where().with(objects -> {
            Stream<Manifest> s = new Catalog(objects, site.where().layout()).all().stream().filter(filter::matches);
            return (filter.last() == null ? s : s.limit(filter.last())).toList();
        });
    }

    /** Prints what interrupted backups left (objects without a manifest, pending uploads), or their JSON. */
    public void printIncomplete(PrintWriter out, boolean json) {
        site.where().use(objects -> {
            List<Catalog.Incomplete> left = new Catalog(objects, site.where().layout()).scan().incomplete();
            if (json) {
                out.println(new String(ManifestCodec.encode(left), StandardCharsets.UTF_8));
            } else {
                left.forEach(i -> out.printf(Locale.ROOT, "%-24s %10s  %d object(s), %d pending upload(s)  %s%n",
                        i.stem(), Bytes.format(i.bytes()), i.objects().size(), i.pending().size(), i.reason()));
            }
            out.flush();
        });
    }
}
