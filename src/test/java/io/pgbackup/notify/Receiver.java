package io.pgbackup.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP server on a loopback port that records every request (method, path, query,
 * headers, body) and answers with a chosen status, or never (a receiver that hangs).
 */
public final class Receiver implements AutoCloseable {
    /** One request as it arrived. */
    public record Request(String method, String path, String query, Map<String, String> headers, byte[] body, long atNanos) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        /** The value of {@code rid} in the query, or null. */
        public String rid() {
            if (query == null) {
                return null;
            }
            for (String kv : query.split("&")) {
                if (kv.startsWith("rid=")) {
                    return kv.substring(4);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private volatile int status = 200;
    private volatile boolean hang;
    private final CountDownLatch release = new CountDownLatch(1);

    public Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answer every request with {@code code} from now on. */
    public Receiver status(int code) {
        this.status = code;
        return this;
    }

    /** Read each request, then never answer (until closed). */
    public Receiver hang() {
        this.hang = true;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        synchronized (requests) {
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
                    headers, body, System.nanoTime()));
            requests.notifyAll();
        }
        if (hang) {
            try {
                release.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        byte[] reply = "OK".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, reply.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(reply);
        }
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Waits until {@code n} requests matching {@code p} arrived; returns them all. */
    public List<Request> await(int n, Predicate<Request> p, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (requests.stream().filter(p).count() < n) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " matching request(s) within " + timeout + ", got "
                            + requests.stream().map(r -> r.method() + " " + r.path()).toList());
                }
                requests.wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
