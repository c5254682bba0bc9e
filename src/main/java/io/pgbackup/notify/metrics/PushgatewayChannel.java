package io.pgbackup.notify.metrics;

import io.pgbackup.notify.Http;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Pushes to a Prometheus Pushgateway after every backup, drill and prune, grouped by
 * {@code job="pgbackup"}, the store {@code prefix}, the {@code database} and the {@code kind} of
 * run (not the host: its series would never expire). A success replaces its group (PUT); a
 * failure updates only the run samples (POST), so the last-success timestamp survives. Kinds have
 * groups of their own because a PUT replaces a whole group: a drill must not wipe the backup's.
 */
public final class PushgatewayChannel extends MetricsChannel {
    private final URI base;
    private final Http http;

    public PushgatewayChannel(URI base, Http http) {
        this.base = base;
        this.http = http;
    }

    @Override
    public void finished(RunInfo run, Outcome o) throws IOException {
        List<Sample> samples = RunMetrics.samples(run, o);
        // The grouping labels are in the URL; the samples must not repeat them.
        List<Sample> body = samples.stream().map(s -> {
            Map<String, String> l = new java.util.TreeMap<>(s.labels());
            l.keySet().removeAll(List.of("prefix", "database", "kind"));
            return new Sample(s.name(), l, s.value());
        }).toList();
        http.send(o.exit().success() ? "PUT" : "POST", groupUrl(run, o),
                Exposition.write(body).getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
    }

    /** {@code /metrics/job/pgbackup/prefix@base64/.../database@base64/.../kind/backup}: base64 keeps '/' and empties. */
    URI groupUrl(RunInfo run, Outcome o) {
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + "/metrics/job/pgbackup/prefix@base64/"
                + b64(run.prefix()) + "/database@base64/" + b64(run.database()) + "/kind/"
                + run.kind().label());
    }

    static String b64(String v) {
        return v.isEmpty() ? "=" : Base64.getUrlEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String describe() {
        return "Pushgateway at " + Http.host(base);
    }
}
