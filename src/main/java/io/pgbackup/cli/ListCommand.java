package io.pgbackup.cli;

import io.pgbackup.Bytes;
import io.pgbackup.PgBackupException;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.ListJob;
import io.pgbackup.jobs.Site;
import io.pgbackup.manifest.Manifest;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Mixin
    ViewOptions view = new ViewOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        Instant from = since == null ? null : Dates.instant(since, "--since", false);
        Instant to = until == null ? null : Dates.instant(until, "--until", true);
        if (last != null && last < 1) {
            throw PgBackupException.config("--last must be at least 1; got " + last);
        }
        ListJob job = new ListJob(Site.of(ctx, FlagSet.of(env, store), view.resolve()));
        PrintWriter out = spec.commandLine().getOut();
        if (incomplete) {
            job.printIncomplete(out, json);
            return 0;
        }
        List<Manifest> rows = job.backups(new ListJob.Filter(from, to, label, last));
        Print.jsonOrText(out, json, rows, this::print);
        return 0;
    }

    private void print(List<Manifest> rows, PrintWriter out) {
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
                            bytes(one, "plain"), Bytes.format(d.sizeBytes()),
                            d.rows() == null ? "rows encrypted" : d.rows().total() + " rows");
                }
                m.globals().ifPresent(g -> out.printf(Locale.ROOT, "  %-38s %-16s %10s %10s  %s%n", "", "(globals)",
                        "-", Bytes.format(g.bytes()), m.server().globalsNote() == null
                                ? "roles, memberships, tablespaces" : m.server().globalsNote()));
                for (Manifest.Skipped sk : m.server().skipped()) {
                    out.printf(Locale.ROOT, "  %-38s %-16s skipped: %s%n", "", sk.name(), sk.reason());
                }
            }
        }
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
        return any[0] ? Bytes.format(sum[0]) : "-";
    }
}
