package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.ProcessId;
import io.pgbackup.notify.Channel;
import io.pgbackup.notify.Http;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Notifier;
import io.pgbackup.notify.metrics.PushgatewayChannel;
import io.pgbackup.notify.metrics.TextfileChannel;
import io.pgbackup.notify.ping.PingChannel;
import io.pgbackup.notify.webhook.WebhookChannel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where runs are reported: pings, webhooks, Pushgateway, a metrics file. Every URL is validated
 * before anything runs (exit 2); none is ever printed whole (they hold tokens: only hosts are).
 * Prefer the environment (or *_FILE) for URLs: a flag's value shows in the process list.
 */
final class NotifyOptions {
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

    /** Builds the notifier; {@code extra} are channels of the caller's own (the daemon's /metrics). */
    Notifier resolve(Map<String, String> env, Clock clock, Channel... extra) {
        Duration timeout = LockOptions.duration(Setting.resolve(env, "--notify-timeout", notifyTimeout, "10s",
                "NOTIFY_TIMEOUT"), false);
        Http http = new Http(timeout);
        List<Channel> channels = new ArrayList<>(List.of(extra));
        ping(env, "--ping-url", pingUrl, "PING_URL", Kind.BACKUP, http, channels);
        ping(env, "--drill-ping-url", drillPingUrl, "DRILL_PING_URL", Kind.DRILL, http, channels);
        ping(env, "--status-ping-url", statusPingUrl, "STATUS_PING_URL", Kind.STATUS, http, channels);
        ping(env, "--prune-ping-url", prunePingUrl, "PRUNE_PING_URL", Kind.PRUNE, http, channels);
        List<String> hooks = new ArrayList<>();
        if (webhookUrls != null && !webhookUrls.isEmpty()) {
            hooks.addAll(webhookUrls);
        } else if (env.get("WEBHOOK_URL") != null && !env.get("WEBHOOK_URL").isBlank()) {
            for (String u : env.get("WEBHOOK_URL").split(",")) {
                if (!u.isBlank()) {
                    hooks.add(u.strip());
                }
            }
        }
        Set<String> events = events(Setting.resolve(env, "--webhook-events", webhookEvents, null, "WEBHOOK_EVENTS"));
        Setting format = Setting.resolve(env, "--webhook-format", webhookFormat, "json", "WEBHOOK_FORMAT");
        boolean slack = switch (format.value().strip().toLowerCase(Locale.ROOT)) {
            case "json" -> false;
            case "slack" -> true;
            default -> throw PgBackupException.config(format.source() + " must be json or slack; got '" + format.value() + "'");
        };
        String secret = env.get("WEBHOOK_SECRET");
        for (String h : hooks) {
            channels.add(new WebhookChannel(url(h, webhookUrls != null && !webhookUrls.isEmpty() ? "--webhook-url"
                    : "WEBHOOK_URL"), events, secret == null || secret.isBlank() ? null : secret, slack, http));
        }
        Setting push = Setting.resolve(env, "--pushgateway-url", pushgatewayUrl, null, "PUSHGATEWAY_URL");
        if (push.isSet()) {
            channels.add(new PushgatewayChannel(url(push.value(), push.source()), http));
        }
        Setting file = Setting.resolve(env, "--metrics-file", metricsFile, null, "METRICS_FILE");
        if (file.isSet()) {
            channels.add(new TextfileChannel(Path.of(file.value().strip())));
        }
        return new Notifier(channels, http.bound(), clock, ProcessId.self().host());
    }

    private void ping(Map<String, String> env, String flag, String value, String var, Kind kind, Http http,
            List<Channel> out) {
        Setting s = Setting.resolve(env, flag, value, null, var);
        if (s.isSet()) {
            out.add(new PingChannel(kind, url(s.value(), s.source()), http));
        }
    }

    /** An http(s) URL, or exit 2 naming the setting (and never echoing the URL: it may hold a token). */
    static URI url(String raw, String source) {
        try {
            URI u = URI.create(raw.strip());
            if (u.getScheme() != null && u.getScheme().matches("(?i)https?") && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // the message below
        }
        throw PgBackupException.config(source + " must be an http:// or https:// URL (the value is not shown: it may "
                + "hold a token)");
    }

    static Set<String> events(Setting s) {
        if (!s.isSet()) {
            return WebhookChannel.EVENTS;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String e : s.value().split("[,\\s]+")) {
            if (e.isBlank()) {
                continue;
            }
            if (!WebhookChannel.EVENTS.contains(e.strip())) {
                throw PgBackupException.config(s.source() + ": unknown event '" + e.strip() + "'; known: "
                        + String.join(", ", new java.util.TreeSet<>(WebhookChannel.EVENTS)));
            }
            out.add(e.strip());
        }
        return out;
    }
}
