package io.pgbackup.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The three places cloud identities get their keys from, on loopback, each handing out
 * short-lived credentials (a new session token every time, valid for {@code lifetime}):
 * STS ({@code AssumeRoleWithWebIdentity}, {@code AssumeRole}; the SDK's {@code AWS_ENDPOINT_URL_STS}),
 * the container credentials endpoint (ECS, EKS Pod Identity: {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}
 * with an authorization token) and IMDSv2 ({@code AWS_EC2_METADATA_SERVICE_ENDPOINT}: a token from
 * {@code PUT /latest/api/token} is required for every read). The keys are the S3 server's own, so
 * it accepts the signatures; {@link #valid} tells the store's gate which session tokens are alive.
 */
final class CredentialStub implements AutoCloseable {
    static final String ROLE = "pgbackup-role";
    private final HttpServer server;
    private final String accessKey;
    private final String secretKey;
    private final Duration lifetime;
    private final String containerToken;
    /** Session token -> when it expires. */
    private final Map<String, Instant> issued = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Boolean> imdsTokens = new ConcurrentHashMap<>();

    CredentialStub(String accessKey, String secretKey, Duration lifetime, String containerToken) throws IOException {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.lifetime = lifetime;
        this.containerToken = containerToken;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** "sts:AssumeRoleWithWebIdentity", "container", "imds", ... one per credential handed out or request refused. */
    List<String> calls() {
        return List.copyOf(calls);
    }

    int issuedCount() {
        return issued.size();
    }

    /** Whether {@code token} was handed out here and has not expired. */
    boolean valid(String token) {
        Instant until = issued.get(token);
        return until != null && Instant.now().isBefore(until);
    }

    private String issue() {
        String token = "stub-" + UUID.randomUUID();
        issued.put(token, Instant.now().plus(lifetime));
        return token;
    }

    private String expiration(String token) {
        return issued.get(token).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        byte[] body = x.getRequestBody().readAllBytes();
        if (method.equals("POST") && path.equals("/")) {
            sts(x, new String(body, StandardCharsets.UTF_8));
        } else if (path.equals("/container-credentials")) {
            if (!containerToken.equals(x.getRequestHeaders().getFirst("Authorization"))) {
                calls.add("container: refused");
                send(x, 401, "text/plain", "unauthorized");
                return;
            }
            String t = issue();
            calls.add("container");
            send(x, 200, "application/json", "{\"AccessKeyId\":\"" + accessKey + "\",\"SecretAccessKey\":\"" + secretKey
                    + "\",\"Token\":\"" + t + "\",\"Expiration\":\"" + expiration(t) + "\"}");
        } else if (method.equals("PUT") && path.equals("/latest/api/token")) {
            String t = UUID.randomUUID().toString();
            imdsTokens.put(t, true);
            send(x, 200, "text/plain", t);
        } else if (path.startsWith("/latest/meta-data/iam/security-credentials")) {
            String token = x.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            if (token == null || !imdsTokens.containsKey(token)) {
                calls.add("imds: refused (no IMDSv2 token)");
                send(x, 401, "text/plain", "");
                return;
            }
            String rest = path.replaceFirst("^/latest/meta-data/iam/security-credentials(-extended)?/?", "");
            if (rest.isEmpty()) {
                send(x, 200, "text/plain", ROLE);
            } else if (rest.equals(ROLE)) {
                String t = issue();
                calls.add("imds");
                send(x, 200, "application/json", "{\"Code\":\"Success\",\"LastUpdated\":\"" + Instant.now()
                        .truncatedTo(ChronoUnit.SECONDS) + "\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" + accessKey
                        + "\",\"SecretAccessKey\":\"" + secretKey + "\",\"Token\":\"" + t + "\",\"Expiration\":\""
                        + expiration(t) + "\",\"AccountId\":\"123456789012\"}");
            } else {
                send(x, 404, "text/plain", "");
            }
        } else {
            send(x, 404, "text/plain", "");
        }
    }

    private void sts(HttpExchange x, String form) throws IOException {
        Map<String, String> p = new ConcurrentHashMap<>();
        for (String kv : form.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                p.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String action = p.getOrDefault("Action", "");
        if (!action.equals("AssumeRoleWithWebIdentity") && !action.equals("AssumeRole")) {
            send(x, 400, "text/xml", "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>");
            return;
        }
        if (action.equals("AssumeRoleWithWebIdentity") && !"the-oidc-token".equals(p.get("WebIdentityToken"))) {
            calls.add("sts:" + action + ": refused");
            send(x, 403, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
                    + "<Message>bad token</Message></Error></ErrorResponse>");
            return;
        }
        String t = issue();
        calls.add("sts:" + action);
        String result = action + "Result";
        send(x, 200, "text/xml", "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + result
                + "><Credentials><AccessKeyId>" + accessKey + "</AccessKeyId><SecretAccessKey>" + secretKey
                + "</SecretAccessKey><SessionToken>" + t + "</SessionToken><Expiration>" + expiration(t)
                + "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/" + ROLE
                + "/pgbackup</Arn><AssumedRoleId>AROAEXAMPLE:pgbackup</AssumedRoleId></AssumedRoleUser></" + result
                + "><ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></" + action
                + "Response>");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
