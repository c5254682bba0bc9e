package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Catalog;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup list}: complete backups (manifests only), newest first. */
@Command(name = "list", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "List complete backups, newest first (read from manifests).")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--since", paramLabel = "DATE[THH:MM]", description = "Only backups started at or after (UTC).")
    String since;

    @Option(names = "--until", paramLabel = "DATE[THH:MM]", description = "Only backups started before (UTC; a date includes that day).")
    String until;

    @Option(names = "--label", paramLabel = "TEXT", description = "Only backups with this label.")
    String label;

    @Option(names = "--last", paramLabel = "N", description = "Only the N newest (after the other filters).")
    Integer last;

    @Option(names = "--databases", description = "Expand server backups: one line per database (size, objects, rows).")
    boolean databases;

    @Option(names = "--json", description = "Print one JSON document (an array of manifests) for scripts.")
    boolean json;

    @Option(names = "--incomplete", description = "List interrupted backups (objects without a manifest) instead.")
    boolean incomplete;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Instant from = since == null ? null : instant(since, "--since", false);
        Instant to = until == null ? null : instant(until, "--until", true);
        if (last != null && last < 1) {
            throw PgBackupException.config("--last must be at least 1; got " + last);
        }
        StoreOptions.Resolved where = store.resolve(env);
        PrintWriter out = spec.commandLine().getOut();
        try (ObjectStore objects = where.open()) {
            Catalog catalog = new Catalog(objects, where.layout());
            if (incomplete) {
                List<Catalog.Incomplete> left = catalog.scan().incomplete();
                if (json) {
                    out.println(new String(ManifestCodec.encode(left), java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    left.forEach(i -> out.printf(Locale.ROOT, "%-24s %10s  %d object(s), %d pending upload(s)  %s%n",
                            i.stem(), io.pgbackup.Bytes.format(i.bytes()), i.objects().size(), i.pending().size(),
                            i.reason()));
                }
                return 0;
            }
            Stream<Manifest> s = catalog.all().stream()
                    .filter(m -> from == null || !m.startedAt().isBefore(from))
                    .filter(m -> to == null || m.startedAt().isBefore(to))
                    .filter(m -> label == null || label.equals(m.label()));
            if (last != null) {
                s = s.limit(last);
            }
            List<Manifest> rows = s.toList();
            if (json) {
                out.println(new String(ManifestCodec.encode(rows), java.nio.charset.StandardCharsets.UTF_8));
            } else {
                out.printf(Locale.ROOT, "%-24s %-16s %-9s %-16s %10s %10s %8s  %s%n", "STEM", "LABEL", "TRIGGER",
                        "DATABASE", "DUMP", "SQL", "DURATION", "SERVER/PG_DUMP");
                for (Manifest m : rows) {
                    // a server backup: its database count, and the sizes summed over its databases
                    String db = m.serverBackup() ? "server: " + m.server().databases().size() + " db" : m.source().database();
                    out.printf(Locale.ROOT, "%-24s %-16s %-9s %-16s %10s %10s %7.1fs  %s/%s%s%n", m.stem(),
                            m.label() == null ? "-" : m.label(), m.trigger(), db, bytes(m, "custom"), bytes(m, "plain"),
                            m.durationMillis() / 1000.0, m.source().serverVersion(), m.dump().pgDumpVersion(), standby(m));
                    if (databases && m.serverBackup()) {
                        for (Manifest.Database d : m.server().databases()) {
                            Manifest one = m.forDatabase(d.name());
                            out.printf(Locale.ROOT, "  %-38s %-16s %10s %10s  db %s, %s%n", "", d.name(), bytes(one, "custom"),
                                    bytes(one, "plain"), io.pgbackup.Bytes.format(d.sizeBytes()),
                                    d.rows() == null ? "rows encrypted" : d.rows().total() + " rows");
                        }
                        m.globals().ifPresent(g -> out.printf(Locale.ROOT, "  %-38s %-16s %10s %10s  %s%n", "", "(globals)",
                                "-", io.pgbackup.Bytes.format(g.bytes()), m.server().globalsNote() == null
                                        ? "roles, memberships, tablespaces" : m.server().globalsNote()));
                        for (Manifest.Skipped sk : m.server().skipped()) {
                            out.printf(Locale.ROOT, "  %-38s %-16s skipped: %s%n", "", sk.name(), sk.reason());
                        }
                    }
                }
            }
            out.flush();
        }
        return 0;
    }

    /** "  standby, data as of T (N behind)" for a standby's backup: its stem is not the data's time. */
    static String standby(Manifest m) {
        Manifest.Standby s = m.source().standby();
        if (s == null) {
            return "";
        }
        if (s.dataAsOf() == null) {
            return "  standby (replayed to " + s.replayLsn() + ")";
        }
        java.time.Duration behind = java.time.Duration.between(s.dataAsOf(), m.startedAt());
        return "  standby, data as of " + s.dataAsOf().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + (behind.toSeconds() >= 1 ? " (" + io.pgbackup.health.Health.human(behind) + " behind)" : "");
    }

    /** The bytes of a format, over all of a backup's objects of it (a server backup's databases summed). */
    static String bytes(Manifest m, String format) {
        long[] sum = {0};
        boolean[] any = {false};
        m.objects().stream().filter(o -> o.format().equals(format)).forEach(o -> {
            sum[0] += o.bytes();
            any[0] = true;
        });
        return any[0] ? io.pgbackup.Bytes.format(sum[0]) : "-";
    }

    static Instant instant(String s, String flag, boolean endOfDay) {
        try {
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
                LocalDate d = LocalDate.parse(s);
                return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            String t = s.endsWith("Z") ? s.substring(0, s.length() - 1) : s;
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            throw PgBackupException.config(flag + " must be a date (2026-11-27) or a date-time (2026-11-27T03:00); got '"
                    + s + "'");
        }
    }
}
