package io.pgbackup.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The HTTP of every channel: connect timeout 5 s, a request timeout ({@code NOTIFY_TIMEOUT},
 * 10 s), two retries with backoff on connection failures, timeouts, 429 and 5xx. What it throws
 * names the host and the status only: URLs of pings and webhooks hold tokens.
 */
public final class Http {
    static final int RETRIES = 2;
    private final Duration timeout;
    private HttpClient client;

    public Http(Duration timeout) {
        this.timeout = timeout;
    }

    /** Built on first use: a run without channels (most ticks) never pays for the client's start. */
    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return client;
    }

    /** The longest a send can take: every attempt timed out, plus the backoff between them. */
    public Duration bound() {
        return timeout.multipliedBy(RETRIES + 1).plus(Duration.ofSeconds(5 * (RETRIES + 1))).plusSeconds(3);
    }

    /** Sends {@code method} with {@code body}; returns the status of the last attempt (2xx), or throws. */
    public int send(String method, URI uri, byte[] body, Map<String, String> headers) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt <= RETRIES; attempt++) {
            if (attempt > 0) {
                sleep(500L << (attempt - 1));
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            try {
                HttpResponse<Void> r = client().send(b.build(), HttpResponse.BodyHandlers.discarding());
                int st = r.statusCode();
                if (st >= 200 && st < 300) {
                    return st;
                }
                last = new IOException(host(uri) + " answered " + st);
                if (st != 429 && st < 500) {
                    throw last; // a 4xx will not change by asking again
                }
            } catch (java.net.http.HttpTimeoutException e) {
                last = new IOException(host(uri) + " did not answer within " + timeout.toSeconds() + " s");
            } catch (IOException e) {
                if (e == last) {
                    throw e;
                }
                last = new IOException(host(uri) + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage().replace(uri.toString(), host(uri))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted sending to " + host(uri));
            }
        }
        throw last;
    }

    /** Scheme and host (and port): what a log line may show of a secret URL. */
    public static String host(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    private static void sleep(long ms) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }
}
