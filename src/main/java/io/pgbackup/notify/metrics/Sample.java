package io.pgbackup.notify.metrics;

import java.util.Map;
import java.util.TreeMap;

/** One series of the Prometheus text format: a metric name, its labels, its value. */
public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
        labels = new TreeMap<>(labels);
    }

    /** Name and labels: what a newer value of the same series replaces. */
    public String series() {
        return name + labels;
    }
}
