package io.pgbackup.cli;

import io.pgbackup.config.Settings;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where runs are reported: pings, webhooks, Pushgateway, a metrics file. The flags stand for their
 * variables, which {@code notify.NotifyConfig} reads and checks before anything runs (exit 2).
 * Prefer the environment (or *_FILE) for URLs: a flag's value shows in the process list.
 */
final class NotifyOptions implements FlagSet {
    @Option(names = "--ping-url", paramLabel = "URL",
            description = "healthchecks.io-style ping for backups: <url>/start, <url>, <url>/fail with ?rid=. Env: PING_URL.")
    String pingUrl;

    @Option(names = "--drill-ping-url", paramLabel = "URL", description = "The same for drills. Env: DRILL_PING_URL.")
    String drillPingUrl;

    @Option(names = "--status-ping-url", paramLabel = "URL",
            description = "The same for status (unhealthy is a failure). Env: STATUS_PING_URL.")
    String statusPingUrl;

    @Option(names = "--prune-ping-url", paramLabel = "URL", description = "The same for prune. Env: PRUNE_PING_URL.")
    String prunePingUrl;

    @Option(names = "--webhook-url", paramLabel = "URL",
            description = "POST a JSON event to URL (repeatable). Env: WEBHOOK_URL, comma-separated. Signed with "
                    + "WEBHOOK_SECRET (X-Pgbackup-Signature: sha256=<HMAC>).")
    List<String> webhookUrls;

    @Option(names = "--webhook-events", paramLabel = "EVENTS",
            description = "Events to send: backup.succeeded, backup.failed, drill.succeeded, drill.failed, prune.failed, "
                    + "status.unhealthy. Env: WEBHOOK_EVENTS. Default: all.")
    String webhookEvents;

    @Option(names = "--webhook-format", paramLabel = "json|slack",
            description = "json, or slack ({\"text\": ...} for Slack/Mattermost). Env: WEBHOOK_FORMAT. Default: json.")
    String webhookFormat;

    @Option(names = "--pushgateway-url", paramLabel = "URL",
            description = "Push metrics after every backup, drill and prune. Env: PUSHGATEWAY_URL.")
    String pushgatewayUrl;

    @Option(names = "--metrics-file", paramLabel = "FILE",
            description = "Write the metrics for node_exporter's textfile collector. Env: METRICS_FILE.")
    String metricsFile;

    @Option(names = "--notify-timeout", paramLabel = "DURATION",
            description = "Request timeout of each notification (connect: 5 s; two retries). Env: NOTIFY_TIMEOUT. "
                    + "Default: 10s.")
    String notifyTimeout;

    @Override
    public Settings register(Settings s) {
        return s.flag("--ping-url", pingUrl, "PING_URL").flag("--drill-ping-url", drillPingUrl, "DRILL_PING_URL")
                .flag("--status-ping-url", statusPingUrl, "STATUS_PING_URL")
                .flag("--prune-ping-url", prunePingUrl, "PRUNE_PING_URL")
                .flags("--webhook-url", webhookUrls, "WEBHOOK_URL")
                .flag("--webhook-events", webhookEvents, "WEBHOOK_EVENTS").flag("--webhook-format", webhookFormat,
                        "WEBHOOK_FORMAT")
                .flag("--pushgateway-url", pushgatewayUrl, "PUSHGATEWAY_URL").flag("--metrics-file", metricsFile,
                        "METRICS_FILE")
                .flag("--notify-timeout", notifyTimeout, "NOTIFY_TIMEOUT");
    }
}
