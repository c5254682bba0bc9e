package io.pgbackup.notify.metrics;

import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples a run produces. Run samples (last run time, exit code, duration, failed
 * notifications) come with every run; success samples (last success, and for backups sizes, rows,
 * tables) only with a success, so a failure leaves the last success where it was. Every sample
 * carries the labels {@code prefix}, {@code database} and {@code kind} (backup, drill, prune).
 */
public final class RunMetrics {
    private RunMetrics() {}

    public static Map<String, String> labels(RunInfo run, Outcome o) {
        Map<String, String> l = new HashMap<>();
        l.put("prefix", run.prefix());
        l.put("database", run.database());
        l.put("kind", run.kind().label());
        return l;
    }

    /** What a run's end reports: its run samples, and with a success its success samples. */
    public static List<Sample> samples(RunInfo run, Outcome o) {
        List<Sample> out = new ArrayList<>(runSamples(run, o));
        if (o.exit().success()) {
            out.addAll(successSamples(run, o));
        }
        return out;
    }

    /** Samples that every run of its kind refreshes. */
    public static List<Sample> runSamples(RunInfo run, Outcome o) {
        Map<String, String> l = labels(run, o);
        List<Sample> out = new ArrayList<>();
        out.add(new Sample("pgbackup_last_run_timestamp_seconds", l, o.finishedAt().toEpochMilli() / 1000.0));
        out.add(new Sample("pgbackup_last_run_exit_code", l, o.exit().code()));
        out.add(new Sample("pgbackup_last_run_duration_seconds", l,
                Duration.between(run.startedAt(), o.finishedAt()).toMillis() / 1000.0));
        out.add(new Sample("pgbackup_notify_failures_total", l, Notifier.FAILURES.get()));
        return out;
    }

    /** Samples only a success replaces. */
    public static List<Sample> successSamples(RunInfo run, Outcome o) {
        Map<String, String> l = labels(run, o);
        List<Sample> out = new ArrayList<>();
        double at = o.finishedAt().toEpochMilli() / 1000.0;
        switch (run.kind()) {
            case BACKUP -> {
                out.add(new Sample("pgbackup_last_success_timestamp_seconds", l, at));
                Map<String, Long> byFormat = new HashMap<>();
                for (Outcome.StoredObject so : o.backup().objects()) {
                    byFormat.merge(so.format(), so.bytes(), Long::sum);
                }
                byFormat.forEach((f, b) -> {
                    Map<String, String> lf = new HashMap<>(l);
                    lf.put("format", f);
                    out.add(new Sample("pgbackup_backup_stored_bytes", lf, b));
                });
                if (o.backup().databaseBytes() != null) {
                    out.add(new Sample("pgbackup_database_bytes", l, o.backup().databaseBytes()));
                }
                if (o.backup().rows() != null) {
                    out.add(new Sample("pgbackup_backup_rows", l, o.backup().rows()));
                }
                String tables = o.extra().get("tables");
                if (tables != null) {
                    out.add(new Sample("pgbackup_backup_tables", l, Double.parseDouble(tables)));
                }
                // What the data is current as of: a standby's replay, else the backup's end.
                String dataAsOf = o.extra().get("dataAsOf");
                out.add(new Sample("pgbackup_last_backup_data_timestamp_seconds", l,
                        dataAsOf == null ? at : java.time.Instant.parse(dataAsOf).toEpochMilli() / 1000.0));
            }
            case COPY -> out.add(new Sample("pgbackup_copy_last_success_timestamp_seconds", l, at));
            case DRILL -> out.add(new Sample("pgbackup_drill_last_success_timestamp_seconds", l, at));
            case PRUNE -> out.add(new Sample("pgbackup_prune_last_success_timestamp_seconds", l, at));
            default -> {
                // status is not a metric source: it judges these
            }
        }
        return out;
    }

    static boolean reported(Kind k) {
        return k == Kind.BACKUP || k == Kind.COPY || k == Kind.DRILL || k == Kind.PRUNE;
    }
}
