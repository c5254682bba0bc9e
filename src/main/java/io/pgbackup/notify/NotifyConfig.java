package io.pgbackup.notify;

import io.pgbackup.PgBackupException;
import io.pgbackup.ProcessId;
import io.pgbackup.config.Setting;
import io.pgbackup.config.Settings;
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
import java.util.Set;
import java.util.TreeSet;

/**
 * Where runs are reported, read from the notification variables (and the flags that stand for
 * them): pings, webhooks, Pushgateway, a metrics file. Every URL is validated before anything
 * runs (exit 2); none is ever printed whole (they hold tokens: only hosts are).
 */
public final class NotifyConfig {
    private NotifyConfig() {}

    /** The notifier of these settings; {@code extra} are channels of the caller's own (the daemon's /metrics). */
    public static Notifier resolve(Settings s, Clock clock, Channel... extra) {
        Duration timeout = s.get("10s", "NOTIFY_TIMEOUT").asDuration(false);
        Http http = new Http(timeout);
        List<Channel> channels = new ArrayList<>(List.of(extra));
        ping(s, "PING_URL", Kind.BACKUP, http, channels);
        ping(s, "DRILL_PING_URL", Kind.DRILL, http, channels);
        ping(s, "STATUS_PING_URL", Kind.STATUS, http, channels);
        ping(s, "PRUNE_PING_URL", Kind.PRUNE, http, channels);
        ping(s, "COPY_PING_URL", Kind.COPY, http, channels);
        Set<String> events = events(s.get(null, "WEBHOOK_EVENTS"));
        Setting format = s.get("json", "WEBHOOK_FORMAT");
        boolean slack = switch (format.text().toLowerCase(Locale.ROOT)) {
            case "json" -> false;
            case "slack" -> true;
            default -> throw format.invalid("must be json or slack");
        };
        String secret = s.env("WEBHOOK_SECRET");
        for (Setting hook : s.list("WEBHOOK_URL")) { // the flag repeats; the variable is comma-separated
            channels.add(new WebhookChannel(url(hook.value(), hook.source()), events, secret, slack, http));
        }
        Setting push = s.get(null, "PUSHGATEWAY_URL");
        if (push.isSet()) {
            channels.add(new PushgatewayChannel(url(push.value(), push.source()), http));
        }
        Setting file = s.get(null, "METRICS_FILE");
        if (file.isSet()) {
            channels.add(new TextfileChannel(Path.of(file.text())));
        }
        return new Notifier(channels, http.bound(), clock, ProcessId.self().host());
    }

    private static void ping(Settings s, String variable, Kind kind, Http http, List<Channel> out) {
        Setting url = s.get(null, variable);
        if (url.isSet()) {
            out.add(new PingChannel(kind, url(url.value(), url.source()), http));
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
                        + String.join(", ", new TreeSet<>(WebhookChannel.EVENTS)));
            }
            out.add(e.strip());
        }
        return out;
    }
}
