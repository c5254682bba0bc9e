package io.pgbackup.notify.metrics;

import io.pgbackup.notify.Channel;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.RunInfo;

/** What the metric channels share: they report backups, drills and prunes, and only their ends. */
abstract class MetricsChannel implements Channel {
    @Override
    public boolean wants(Kind kind) {
        return RunMetrics.reported(kind);
    }

    @Override
    public void started(RunInfo run) {
        // metrics describe ends
    }
}
