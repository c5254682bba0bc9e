package io.pgbackup.notify.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.Bytes;
import io.pgbackup.notify.Channel;
import io.pgbackup.notify.Http;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JSON event POSTed to a URL when a run ends: {@code backup.succeeded}, {@code backup.failed},
 * {@code copy.succeeded}, {@code copy.failed} (a backup's copy to the second store), {@code drill.succeeded}, {@code drill.failed}, {@code prune.failed}, {@code status.unhealthy}
 * (filtered by WEBHOOK_EVENTS). With a secret, {@code X-Pgbackup-Signature: sha256=<hex>} is the
 * HMAC-SHA256 of the body (the GitHub convention). {@code slack} sends {@code {"text": ...}}.
 */
public final class WebhookChannel implements Channel {
    public static final Set<String> EVENTS = Set.of("backup.succeeded", "backup.failed", "copy.succeeded",
            "copy.failed", "drill.succeeded", "drill.failed", "prune.failed", "status.unhealthy");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI url;
    private final Set<String> events;
    private final byte[] secret;
    private final boolean slack;
    private final Http http;

    public WebhookChannel(URI url, Set<String> events, String secret, boolean slack, Http http) {
        this.url = url;
        this.events = events;
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.slack = slack;
        this.http = http;
    }

    /** The event name of an outcome, or null when there is none (prune success, status healthy). */
    static String event(Kind kind, boolean success) {
        String e = kind.label() + (kind == Kind.STATUS ? (success ? ".healthy" : ".unhealthy")
                : success ? ".succeeded" : ".failed");
        return EVENTS.contains(e) ? e : null;
    }

    @Override
    public boolean wants(Kind kind) {
        return events.stream().anyMatch(e -> e.startsWith(kind.label() + "."));
    }

    @Override
    public void started(RunInfo run) {
        // webhooks report ends only
    }

    @Override
    public void finished(RunInfo run, Outcome o) throws IOException {
        String event = event(run.kind(), o.exit().success());
        if (event == null || !events.contains(event)) {
            return;
        }
        byte[] body = slack ? JSON.writeValueAsBytes(Map.of("text", text(event, run, o))) : json(event, run, o);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "pgbackup");
        if (secret != null) {
            headers.put("X-Pgbackup-Signature", "sha256=" + hmac(secret, body));
        }
        http.send("POST", url, body, headers);
    }

    static byte[] json(String event, RunInfo run, Outcome o) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("event", event);
        n.put("runId", run.runId());
        n.put("host", run.host());
        n.put("command", run.command());
        n.put("store", run.store());
        n.put("prefix", run.prefix());
        if (o.backup().stem() != null) {
            n.put("stem", o.backup().stem());
        }
        n.put("startedAt", run.startedAt().toString());
        n.put("finishedAt", o.finishedAt().toString());
        n.put("durationMillis", Duration.between(run.startedAt(), o.finishedAt()).toMillis());
        n.put("exitCode", o.exit().code());
        n.put("exitName", o.exit().name());
        if (o.exit().error() != null) {
            n.put("error", o.exit().error());
        }
        ArrayNode objects = n.putArray("objects");
        for (Outcome.StoredObject so : o.backup().objects()) {
            objects.addObject().put("key", so.key()).put("format", so.format()).put("bytes", so.bytes());
        }
        String database = o.backup().database() != null ? o.backup().database() : run.database();
        if (!database.isEmpty()) {
            ObjectNode db = n.putObject("database");
            db.put("name", database);
            if (o.backup().databaseBytes() != null) {
                db.put("sizeBytes", o.backup().databaseBytes());
            }
        }
        if (o.backup().rows() != null) {
            n.put("rows", o.backup().rows());
        }
        if (o.summary() != null) {
            n.put("summary", o.summary());
        }
        o.extra().forEach(n::put);
        return JSON.writeValueAsBytes(n);
    }

    /** One line for a chat channel. */
    static String text(String event, RunInfo run, Outcome o) {
        String icon = o.exit().success() ? ":white_check_mark:" : ":rotating_light:";
        String where = run.store() + (run.prefix().isEmpty() ? "" : "/" + run.prefix());
        if (o.exit().success()) {
            long bytes = o.backup().objects().stream().mapToLong(Outcome.StoredObject::bytes).sum();
            return icon + " pgbackup " + event + " on " + run.host() + " (" + where + "): " + (o.summary() != null
                    ? o.summary() : (o.backup().stem() != null ? o.backup().stem() + ", " : "") + Bytes.format(bytes));
        }
        return icon + " pgbackup " + event + " on " + run.host() + " (" + where + "), exit " + o.exit().code() + " "
                + o.exit().name() + ": " + o.exit().error();
    }

    static String hmac(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    @Override
    public String describe() {
        return "webhook to " + Http.host(url);
    }
}
