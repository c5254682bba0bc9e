package io.pgbackup.notify.ping;

import io.pgbackup.log.LogTail;
import io.pgbackup.notify.Channel;
import io.pgbackup.notify.Http;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.RunInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The healthchecks.io ping protocol (also Cronitor, Better Stack and Uptime Kuma push monitors):
 * {@code <url>/start?rid=<uuid>} when a run starts, {@code <url>?rid=<uuid>} with a one-line
 * summary when it succeeds, {@code <url>/fail?rid=<uuid>} with the error line and the last log
 * lines (at most 10,000 bytes, the tail kept) when it fails. One rid per run.
 */
public record PingChannel(Kind kind, URI base, Http http) implements Channel {
    static final int MAX_BODY = 10_000;

    @Override
    public boolean wants(Kind k) {
        return k == kind;
    }

    @Override
    public void started(RunInfo run) throws IOException {
        http.send("POST", url(base, "/start", run.runId()), new byte[0], Map.of());
    }

    @Override
    public void finished(RunInfo run, Outcome o) throws IOException {
        if (o.exit().success()) {
            http.send("POST", url(base, "", run.runId()), body(o.summary()), Map.of("Content-Type", "text/plain; charset=utf-8"));
        } else {
            http.send("POST", url(base, "/fail", run.runId()), body(failure(o.exit().error())),
                    Map.of("Content-Type", "text/plain; charset=utf-8"));
        }
    }

    /** The error line, then as many of the last log lines as fit in 10,000 bytes. */
    static String failure(String error) {
        String head = error == null ? "" : error;
        int room = MAX_BODY - head.getBytes(StandardCharsets.UTF_8).length - 1;
        return room <= 0 ? truncate(head) : head + "\n" + LogTail.tail(room);
    }

    private static String truncate(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_BODY ? s : new String(b, b.length - MAX_BODY, MAX_BODY, StandardCharsets.UTF_8);
    }

    private static byte[] body(String s) {
        return truncate(s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code <base><suffix>?rid=<id>}, keeping a query the base URL may have. */
    static URI url(URI base, String suffix, String rid) {
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String q = base.getRawQuery();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + suffix + "?"
                + (q == null || q.isEmpty() ? "" : q + "&") + "rid=" + rid);
    }

    @Override
    public String describe() {
        return kind.label() + " ping to " + Http.host(base);
    }
}
