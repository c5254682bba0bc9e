package io.pgbackup.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP proxy between pgbackup and a real S3 server that injects faults: a status answer
 * (503 SlowDown) instead of forwarding, a connection reset after N bytes of the request or of
 * the response, a black hole (the request is read and never answered), a slow drip of the
 * response. Rules match method and path (with query) and fire a given number of times; with no
 * rule matching, requests pass through. One request per connection: the proxy answers with
 * {@code Connection: close}, which every HTTP client handles, so it never parses response framing.
 */
public final class FaultProxy implements AutoCloseable {
    /** What to do to a matching request. */
    public sealed interface Fault permits Status, ResetRequestAfter, ResetResponseAfter, BlackHole, Drip, SlowRead {}

    /** Answer {@code status} with an S3 error body of {@code code}, without forwarding. */
    public record Status(int status, String code) implements Fault {}

    /** Read {@code bytes} of the request body, then reset the connection. */
    public record ResetRequestAfter(long bytes) implements Fault {}

    /** Forward, relay {@code bytes} of the response, then reset the connection. */
    public record ResetResponseAfter(long bytes) implements Fault {}

    /** Read the request and never answer. */
    public record BlackHole() implements Fault {}

    /** Forward and relay the response at {@code bytesPerSecond}. */
    public record Drip(int bytesPerSecond) implements Fault {}

    /** Read the request body at {@code bytesPerSecond} (a slow link: back-pressure up to pg_dump), then forward. */
    public record SlowRead(int bytesPerSecond) implements Fault {}

    /** Fires {@code fault} for the next {@code times} requests matching method and path ({@code times < 0}: always). */
    public static final class Rule {
        final Pattern method;
        final Pattern path;
        final Fault fault;
        final AtomicInteger left;
        final AtomicInteger fired = new AtomicInteger();

        Rule(String method, String path, Fault fault, int times) {
            this.method = Pattern.compile(method);
            this.path = Pattern.compile(path);
            this.fault = fault;
            this.left = new AtomicInteger(times);
        }

        public int fired() {
            return fired.get();
        }

        boolean take(String m, String p) {
            if (!method.matcher(m).matches() || !path.matcher(p).find()) {
                return false;
            }
            while (true) {
                int n = left.get();
                if (n == 0) {
                    return false;
                }
                if (n < 0 || left.compareAndSet(n, n - 1)) {
                    fired.incrementAndGet();
                    return true;
                }
            }
        }
    }

    private final URI upstream;
    private final ServerSocket server;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile boolean blackHoleAll;
    private volatile boolean closed;

    public FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Adds a rule; rules are tried in the order added. */
    public Rule on(String method, String pathRegex, Fault fault, int times) {
        Rule r = new Rule(method, pathRegex, fault, times);
        rules.add(r);
        return r;
    }

    public void clearRules() {
        rules.clear();
    }

    /**
     * A check of every request's head (request line and headers) before the rules: a non-null
     * answer is sent instead of forwarding (a store that refuses expired session tokens, say).
     */
    public void gate(java.util.function.Function<String, Status> check) {
        gate = check;
    }

    private volatile java.util.function.Function<String, Status> gate;

    /** Every request from now on is read and never answered (a frozen store); false lets them through again. */
    public void blackHoleAll(boolean on) {
        blackHoleAll = on;
        if (!on) {
            // Connections held in the hole are dropped, as a recovering server's would be.
            for (Socket s : open) {
                closeQuietly(s);
            }
        }
    }

    public int requests() {
        return requests.get();
    }

    /** "METHOD path -> what happened", one line per request. */
    public List<String> log() {
        return new ArrayList<>(log);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> handle(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            requests.incrementAndGet();
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String method = requestLine[0];
            String path = requestLine[1];
            long length = 0;
            boolean expectContinue = false;
            StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i];
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(l.substring(15).strip());
                }
                if (lower.startsWith("expect:")) {
                    expectContinue = true;
                    continue;
                }
                if (lower.startsWith("connection:")) {
                    continue;
                }
                forwarded.append(l).append("\r\n");
            }
            forwarded.append("Connection: close\r\n\r\n");
            if (blackHoleAll) {
                log.add(method + " " + path + " -> black hole (all)");
                hold(client);
                return;
            }
            Fault fault = gate == null ? null : gate.apply(head);
            for (Rule r : rules) {
                if (fault != null) {
                    break;
                }
                if (r.take(method, path)) {
                    fault = r.fault;
                    break;
                }
            }
            if (expectContinue) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            if (fault instanceof ResetRequestAfter r) {
                in.readNBytes((int) Math.min(length, r.bytes()));
                log.add(method + " " + path + " -> reset after " + r.bytes() + " request bytes");
                reset(client);
                return;
            }
            byte[] body = fault instanceof SlowRead sr ? readSlowly(in, length, sr.bytesPerSecond())
                    : in.readNBytes((int) length);
            if (fault instanceof BlackHole) {
                log.add(method + " " + path + " -> black hole");
                hold(client);
                return;
            }
            if (fault instanceof Status s) {
                log.add(method + " " + path + " -> " + s.status() + " " + s.code());
                byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + s.code()
                        + "</Code><Message>injected by the test's fault proxy</Message></Error>")
                        .getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + s.status() + " Injected\r\nContent-Type: application/xml\r\nContent-Length: "
                        + xml.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(xml);
                out.flush();
                return;
            }
            log.add(method + " " + path + " [" + length + " bytes] -> " + (fault == null ? "forwarded" : fault.toString()));
            forward(method, forwarded.toString(), body, client, fault);
        } catch (IOException e) {
            // the client or upstream went away
        } finally {
            open.remove(client);
        }
    }

    private void forward(String method, String head, byte[] body, Socket client, Fault fault) throws IOException {
        try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
            OutputStream uo = up.getOutputStream();
            uo.write(head.getBytes(StandardCharsets.ISO_8859_1));
            uo.write(body);
            uo.flush();
            InputStream ui = up.getInputStream();
            OutputStream co = client.getOutputStream();
            long limit = fault instanceof ResetResponseAfter r ? r.bytes() : Long.MAX_VALUE;
            int drip = fault instanceof Drip d ? d.bytesPerSecond() : 0;
            // Response head: pass it with our Connection: close; the body follows byte for byte.
            String respHead = readHead(ui);
            if (respHead == null) {
                return;
            }
            StringBuilder h = new StringBuilder();
            for (String l : respHead.split("\r\n")) {
                if (!l.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    h.append(l).append("\r\n");
                }
            }
            h.append("Connection: close\r\n\r\n");
            byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
            co.write(hb);
            long sent = hb.length;
            byte[] buf = new byte[drip > 0 ? Math.max(1, drip / 10) : 64 * 1024];
            int n;
            while ((n = ui.read(buf)) > 0) {
                if (sent + n > limit) {
                    co.write(buf, 0, (int) Math.max(0, limit - sent));
                    co.flush();
                    reset(client);
                    return;
                }
                co.write(buf, 0, n);
                sent += n;
                if (drip > 0) {
                    co.flush();
                    sleep(100);
                }
            }
            co.flush();
        }
    }

    private static byte[] readSlowly(InputStream in, long length, int bytesPerSecond) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream((int) length);
        int chunk = Math.max(1, bytesPerSecond / 10);
        byte[] buf = new byte[chunk];
        long left = length;
        while (left > 0) {
            int n = in.readNBytes(buf, 0, (int) Math.min(chunk, left));
            if (n <= 0) {
                break;
            }
            b.write(buf, 0, n);
            left -= n;
            sleep(100);
        }
        return b.toByteArray();
    }

    /** Reads up to the blank line; null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            state = switch (state) {
                case 0 -> c == '\r' ? 1 : 0;
                case 1 -> c == '\n' ? 2 : 0;
                case 2 -> c == '\r' ? 3 : 0;
                case 3 -> c == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.substring(0, s.length() - 4);
            }
        }
    }

    private void hold(Socket client) {
        // Keep the connection open and silent until the hole is lifted or the proxy closes.
        try {
            while (!closed && !client.isClosed()) {
                sleep(50);
                if (!blackHoleAll && client.getInputStream().available() < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // dropped
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // close with RST, as a broken connection looks to the peer
        } catch (SocketException e) {
            // already gone
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // gone
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            closeQuietly(s);
        }
    }
}
