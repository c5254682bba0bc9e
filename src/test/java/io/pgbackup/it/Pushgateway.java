package io.pgbackup.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Debian's prometheus-pushgateway, started on a free loopback port (no persistence). */
final class Pushgateway implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Pushgateway() throws Exception {
        Path bin = binary();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        log = Files.createTempFile("pushgateway", ".log");
        process = new ProcessBuilder(bin.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                if (get("/-/ready").statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > end) {
                throw new IllegalStateException("pushgateway did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    static Path binary() {
        for (String c : List.of("/usr/bin/prometheus-pushgateway", "/usr/local/bin/pushgateway")) {
            if (Files.isExecutable(Path.of(c))) {
                return Path.of(c);
            }
        }
        Assumptions.abort("no prometheus-pushgateway (apt-get install -y prometheus-pushgateway)");
        return null;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(url().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The gateway's own /metrics, as Prometheus would scrape it. */
    String scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/metrics");
        if (r.statusCode() != 200) {
            throw new IOException("scrape answered " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
