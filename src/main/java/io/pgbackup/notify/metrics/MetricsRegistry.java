package io.pgbackup.notify.metrics;

import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The daemon's own samples, served at METRICS_ADDR /metrics: the same merge as the textfile, in memory. */
public final class MetricsRegistry extends MetricsChannel {
    private final Map<String, Sample> samples = new LinkedHashMap<>();
    private volatile Outcome lastBackup;

    @Override
    public synchronized void finished(RunInfo run, Outcome o) {
        List<Sample> mine = RunMetrics.samples(run, o);
        for (Sample s : mine) {
            samples.put(s.series(), s);
        }
        if (run.kind() == Kind.BACKUP) {
            lastBackup = o;
        }
    }

    public synchronized String exposition() {
        return Exposition.write(new ArrayList<>(samples.values()));
    }

    /** The outcome of the daemon's last backup, or null before the first. */
    public Outcome lastBackup() {
        return lastBackup;
    }

    @Override
    public String describe() {
        return "the daemon's /metrics";
    }
}
