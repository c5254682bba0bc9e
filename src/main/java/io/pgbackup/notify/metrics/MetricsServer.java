package io.pgbackup.notify.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The daemon's HTTP endpoint (METRICS_ADDR, e.g. {@code :9187}): {@code /metrics} in the text
 * format, {@code /healthz} 200 while the scheduler runs (its body says how the last backup went).
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    public MetricsServer(InetSocketAddress addr, MetricsRegistry registry) throws IOException {
        server = HttpServer.create(addr, 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.exposition()));
        server.createContext("/healthz", ex -> {
            var last = registry.lastBackup();
            String body = "{\"status\":\"ok\",\"lastBackup\":" + (last == null ? "null"
                    : "{\"success\":" + last.exit().success() + ",\"exitCode\":" + last.exit().code() + ",\"finishedAt\":\""
                            + last.finishedAt() + "\"}") + "}";
            reply(ex, 200, "application/json", body);
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
