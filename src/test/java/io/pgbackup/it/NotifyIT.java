package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.notify.Receiver;
import io.pgbackup.notify.metrics.Exposition;
import io.pgbackup.notify.metrics.Sample;
import io.pgbackup.repo.Catalog;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every run tells someone: pings (healthchecks.io protocol), webhooks, a real Pushgateway and the
 * textfile, recorded by a real HTTP receiver; broken endpoints never break a backup.
 */
class NotifyIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PING_TOKEN = "5f3b1c2a-ping-token-9e7d";
    static final String HOOK_TOKEN = "T000/B000/hook-token-XYZ";
    static final String HOOK_SECRET = "hmac-secret-for-tests";
    static final String UUID_RE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    static PgServer pg;
    static String db;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("notify");
        SampleData.awkward(pg, db);
    }

    static Map<String, String> env(String bucket) {
        return BackupIT.env(bucket, db);
    }

    static Map<String, String> wrongPassword(Map<String, String> env) {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("PG_URI", env.get("PG_URI").replace(URLEncoder.encode(PgServer.PASSWORD, StandardCharsets.UTF_8), "wrong-pw")
                .replace(PgServer.PASSWORD, "wrong-pw"));
        assertThat(e.get("PG_URI")).contains("wrong-pw");
        return e;
    }

    static List<Receiver.Request> pings(Receiver rx) {
        return rx.requests().stream().filter(r -> r.path().startsWith("/ping/")).toList();
    }

    static List<Receiver.Request> hooks(Receiver rx) {
        return rx.requests().stream().filter(r -> r.path().startsWith("/hook/")).toList();
    }

    static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(HOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void aBackupPingsStartAndSuccessWithOneRidAndPostsASignedWebhook() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-ok");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket);
            env.put("PING_URL", rx.url("/ping/" + PING_TOKEN).toString());
            env.put("WEBHOOK_URL", rx.url("/hook/" + HOOK_TOKEN).toString());
            env.put("WEBHOOK_SECRET", HOOK_SECRET);
            Cli.Result r = Cli.run(env, "backup");
            assertThat(r.code()).as(r.err()).isZero();

            List<Receiver.Request> pings = pings(rx);
            assertThat(pings).extracting(Receiver.Request::path)
                    .containsExactly("/ping/" + PING_TOKEN + "/start", "/ping/" + PING_TOKEN);
            String rid = pings.get(0).rid();
            assertThat(rid).matches(UUID_RE);
            assertThat(pings.get(1).rid()).isEqualTo(rid);
            Manifest m;
            try (S3ObjectStore store = BackupIT.store(bucket)) {
                m = new Catalog(store, new KeyLayout("prod/db1")).all().get(0);
            }
            // the success body: one summary line with the stem, the sizes and the duration
            String summary = pings.get(1).text();
            assertThat(summary).doesNotContain("\n").contains(m.stem()).contains(".dump").contains(".sql.zst").matches(".* in \\d+\\.\\d s");

            List<Receiver.Request> hooks = hooks(rx);
            assertThat(hooks).hasSize(1);
            Receiver.Request hook = hooks.get(0);
            assertThat(hook.header("X-Pgbackup-Signature")).isEqualTo(hmac(hook.body()));
            JsonNode n = JSON.readTree(hook.body());
            assertThat(n.get("event").asText()).isEqualTo("backup.succeeded");
            assertThat(n.get("runId").asText()).isEqualTo(rid);
            assertThat(n.get("command").asText()).isEqualTo("backup");
            assertThat(n.get("prefix").asText()).isEqualTo("prod/db1");
            assertThat(n.get("store").asText()).contains(bucket);
            assertThat(n.get("stem").asText()).isEqualTo(m.stem());
            assertThat(n.get("exitCode").asInt()).isZero();
            assertThat(n.get("exitName").asText()).isEqualTo("OK");
            assertThat(n.get("database").get("name").asText()).isEqualTo(db);
            assertThat(n.get("database").get("sizeBytes").asLong()).isEqualTo(m.source().sizeBytes());
            Map<String, Long> sizes = new java.util.HashMap<>();
            n.get("objects").forEach(o -> sizes.put(o.get("key").asText(), o.get("bytes").asLong()));
            assertThat(sizes).isEqualTo(m.objects().stream().collect(Collectors.toMap(Manifest.StoredObject::key,
                    Manifest.StoredObject::bytes)));
            assertThat(hook.text()).doesNotContain(PgServer.PASSWORD).doesNotContain(TestRig.get().s3().secretKey());
        }
    }

    @Test
    void aFailedBackupPingsFailWithTheErrorLineAndTheLogTailAndKeepsItsExitCode() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-fail");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = wrongPassword(env(bucket));
            env.put("PING_URL", rx.url("/ping/" + PING_TOKEN).toString());
            env.put("WEBHOOK_URL", rx.url("/hook/" + HOOK_TOKEN).toString());
            Cli.Result r = Cli.run(env, "backup");
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DATABASE.code());

            List<Receiver.Request> pings = pings(rx);
            assertThat(pings).extracting(Receiver.Request::path)
                    .containsExactly("/ping/" + PING_TOKEN + "/start", "/ping/" + PING_TOKEN + "/fail");
            assertThat(pings.get(1).rid()).isEqualTo(pings.get(0).rid());
            String body = pings.get(1).text();
            String errorLine = r.err().strip();
            assertThat(errorLine).startsWith("pgbackup: error:").contains("password authentication failed");
            assertThat(body.lines().findFirst().orElseThrow()).isEqualTo(errorLine);
            assertThat(body.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(10_000);
            assertThat(body).doesNotContain("wrong-pw");

            JsonNode n = JSON.readTree(hooks(rx).get(0).body());
            assertThat(n.get("event").asText()).isEqualTo("backup.failed");
            assertThat(n.get("exitCode").asInt()).isEqualTo(ExitCode.DATABASE.code());
            assertThat(n.get("exitName").asText()).isEqualTo("DATABASE");
            assertThat(n.get("error").asText()).isEqualTo(errorLine);
            assertThat(n.get("database").get("name").asText()).isEqualTo(db);
            assertThat(hooks(rx).get(0).header("X-Pgbackup-Signature")).as("no secret, no signature").isNull();
        }
    }

    @Test
    void slackFormatAndEventFilter() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-slack");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket);
            env.put("WEBHOOK_URL", rx.url("/hook/slack").toString() + "," + rx.url("/hook/other"));
            env.put("WEBHOOK_FORMAT", "slack");
            env.put("WEBHOOK_EVENTS", "backup.failed");
            assertThat(Cli.run(env, "backup").code()).isZero();
            assertThat(hooks(rx)).as("backup.succeeded is filtered out").isEmpty();
            assertThat(Cli.run(wrongPassword(env), "backup").code()).isEqualTo(ExitCode.DATABASE.code());
            List<Receiver.Request> hooks = hooks(rx);
            assertThat(hooks).extracting(Receiver.Request::path).containsExactlyInAnyOrder("/hook/slack", "/hook/other");
            JsonNode n = JSON.readTree(hooks.get(0).body());
            assertThat(n.size()).isEqualTo(1);
            assertThat(n.get("text").asText()).contains("backup.failed").contains("exit 3 DATABASE")
                    .contains("password authentication failed");
        }
    }

    @Test
    void brokenEndpointsNeverFailOrHoldABackup() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-broken");
        int refused;
        try (ServerSocket s = new ServerSocket(0)) {
            refused = s.getLocalPort();
        }
        try (Receiver five = new Receiver().status(500); Receiver hang = new Receiver().hang()) {
            Map<String, String> env = env(bucket);
            long t0 = System.nanoTime();
            assertThat(Cli.run(env, "backup").code()).isZero();
            double plain = (System.nanoTime() - t0) / 1e9;

            env.put("PING_URL", "http://127.0.0.1:" + refused + "/ping/" + PING_TOKEN);
            env.put("WEBHOOK_URL", five.url("/hook/" + HOOK_TOKEN).toString());
            env.put("PUSHGATEWAY_URL", hang.url("/gw/SECRETPATH").toString());
            env.put("NOTIFY_TIMEOUT", "1s");
            t0 = System.nanoTime();
            Cli.Result r = Cli.run(env, "backup");
            double broken = (System.nanoTime() - t0) / 1e9;
            assertThat(r.code()).as(r.err()).isZero();
            // the bound of one send with NOTIFY_TIMEOUT=1s: 3 attempts of 1 s + 1.5 s of backoff (+ connects);
            // all channels in parallel, so the run is at most one bound slower
            assertThat(broken - plain).as("extra seconds (plain run %.1f s)", plain).isLessThan(12);
            assertThat(five.requests()).as("a 500 is retried twice").hasSize(3);
            assertThat(hang.requests()).as("a timeout is retried twice").hasSize(3);

            // and a failing backup keeps its own exit code
            Cli.Result f = Cli.run(wrongPassword(env), "backup");
            assertThat(f.code()).isEqualTo(ExitCode.DATABASE.code());
            assertThat(f.err().strip()).contains("password authentication failed");
        }
    }

    @Test
    void brokenNotificationsAreOneWarningLineNamingTheHostOnly() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-warn");
        try (Receiver five = new Receiver().status(500)) {
            Map<String, String> env = env(bucket);
            env.put("WEBHOOK_URL", five.url("/hook/" + HOOK_TOKEN).toString());
            env.put("NOTIFY_TIMEOUT", "1s");
            Cli.Result r = Cli.runJar(env, "backup");
            assertThat(r.code()).as(r.err()).isZero();
            List<String> warnings = r.err().lines().filter(l -> l.contains("notification")).toList();
            assertThat(warnings).singleElement().asString().contains("WARN")
                    .contains("webhook to " + "http://127.0.0.1:" + five.url("/").getPort()).contains("answered 500");
            assertThat(r.err()).doesNotContain(HOOK_TOKEN).doesNotContain("/hook/");
        }
    }

    @Test
    void aRealPushgatewayAndTheTextfileKeepTheLastSuccessThroughAFailure() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-gw");
        Path dir = Files.createTempDirectory("textfile");
        Path prom = dir.resolve("pgbackup.prom");
        try (Pushgateway gw = new Pushgateway()) {
            Map<String, String> env = env(bucket);
            env.put("PUSHGATEWAY_URL", gw.url().toString());
            env.put("METRICS_FILE", prom.toString());
            Cli.Result ok = Cli.run(env, "backup");
            assertThat(ok.code()).as(ok.err()).isZero();
            Manifest m;
            try (S3ObjectStore store = BackupIT.store(bucket)) {
                m = new Catalog(store, new KeyLayout("prod/db1")).all().get(0);
            }
            Map<String, Double> after = ours(gw.scrape());
            String l = "{database=" + db + ", instance=, job=pgbackup, kind=backup, prefix=prod/db1}";
            double success = after.get("pgbackup_last_success_timestamp_seconds" + l);
            assertThat(success).isCloseTo(m.finishedAt().toEpochMilli() / 1000.0, org.assertj.core.data.Offset.offset(5.0));
            assertThat(after).containsEntry("pgbackup_last_run_exit_code" + l, 0.0)
                    .containsEntry("pgbackup_database_bytes" + l, (double) m.source().sizeBytes())
                    .containsEntry("pgbackup_backup_rows" + l, (double) m.rows().total());
            for (Manifest.StoredObject o : m.objects()) {
                assertThat(after).containsEntry("pgbackup_backup_stored_bytes{database=" + db + ", format=" + o.format()
                        + ", instance=, job=pgbackup, kind=backup, prefix=prod/db1}", (double) o.bytes());
            }
            assertThat(after.get("pgbackup_last_run_duration_seconds" + l)).isPositive();
            // every metric has its HELP and TYPE (the gateway keeps what we sent)
            String text = gw.scrape();
            assertThat(text).contains("# HELP pgbackup_last_success_timestamp_seconds Unix time the last backup succeeded")
                    .contains("# TYPE pgbackup_last_success_timestamp_seconds gauge")
                    .contains("# TYPE pgbackup_notify_failures_total counter");
            Map<String, Double> fileOk = ours(Files.readString(prom));

            Thread.sleep(1100); // a later run timestamp
            Cli.Result fail = Cli.run(wrongPassword(env), "backup");
            assertThat(fail.code()).isEqualTo(ExitCode.DATABASE.code());
            Map<String, Double> later = ours(gw.scrape());
            assertThat(later).as("a failure POSTs run metrics only: the last success survives")
                    .containsEntry("pgbackup_last_success_timestamp_seconds" + l, success)
                    .containsEntry("pgbackup_last_run_exit_code" + l, (double) ExitCode.DATABASE.code())
                    .containsEntry("pgbackup_backup_rows" + l, (double) m.rows().total());
            assertThat(later.get("pgbackup_last_run_timestamp_seconds" + l))
                    .isGreaterThan(after.get("pgbackup_last_run_timestamp_seconds" + l));

            // the textfile, parsed back: the same series and values, without the gateway's labels
            Map<String, Double> file = ours(Files.readString(prom));
            String fl = "{database=" + db + ", kind=backup, prefix=prod/db1}";
            assertThat(file).containsEntry("pgbackup_last_success_timestamp_seconds" + fl, fileOk.get(
                    "pgbackup_last_success_timestamp_seconds" + fl))
                    .containsEntry("pgbackup_last_run_exit_code" + fl, (double) ExitCode.DATABASE.code());
            assertThat(fileOk.get("pgbackup_last_success_timestamp_seconds" + fl)).isCloseTo(success,
                    org.assertj.core.data.Offset.offset(0.01));
            try (var files = Files.list(dir)) {
                assertThat(files).as("temp + rename: no temp file left").containsExactly(prom);
            }
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(prom)))
                    .as("readable by node_exporter, which runs as a user of its own").isEqualTo("rw-r--r--");
        }
    }

    /** pgbackup's samples of a scrape, by series. */
    static Map<String, Double> ours(String text) {
        return Exposition.read(text).stream().filter(s -> s.name().startsWith("pgbackup_"))
                .collect(Collectors.toMap(Sample::series, Sample::value, (a, b) -> b));
    }

    @Test
    void drillStatusAndPruneHaveTheirOwnPings() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-kinds");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket);
            assertThat(Cli.run(env, "backup").code()).isZero();
            env.put("PING_URL", rx.url("/ping/backup").toString());
            env.put("DRILL_PING_URL", rx.url("/ping/drill").toString());
            env.put("STATUS_PING_URL", rx.url("/ping/status").toString());
            env.put("PRUNE_PING_URL", rx.url("/ping/prune").toString());
            env.put("WEBHOOK_URL", rx.url("/hook/all").toString());
            Cli.Result d = Cli.run(env, "drill");
            assertThat(d.code()).as(d.err()).isZero();
            Cli.Result s = Cli.run(env, "status", "--max-age", "1h");
            assertThat(s.code()).as(s.out() + s.err()).isZero();
            Thread.sleep(1100);
            Cli.Result u = Cli.run(env, "status", "--max-age", "1s");
            assertThat(u.code()).as(u.out()).isEqualTo(ExitCode.UNHEALTHY.code());
            Cli.Result p = Cli.run(env, "prune", "--keep-last", "5");
            assertThat(p.code()).as(p.err()).isZero();
            List<String> paths = pings(rx).stream().map(Receiver.Request::path).toList();
            assertThat(paths).containsSubsequence("/ping/drill/start", "/ping/drill")
                    .containsSubsequence("/ping/status/start", "/ping/status", "/ping/status/start", "/ping/status/fail")
                    .containsSubsequence("/ping/prune/start", "/ping/prune")
                    .noneMatch(x -> x.startsWith("/ping/backup"));
            String statusFail = pings(rx).stream().filter(r -> r.path().equals("/ping/status/fail")).findFirst().orElseThrow()
                    .text();
            assertThat(statusFail).startsWith("pgbackup: error: unhealthy:").contains("freshness");
            List<String> events = hooks(rx).stream().map(h -> {
                try {
                    return JSON.readTree(h.body()).get("event").asText();
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }).toList();
            // prune success and a healthy status are no webhook events
            assertThat(events).containsExactly("drill.succeeded", "status.unhealthy");
        }
    }

    @Test
    void aFailedDrillAndAFailedPruneSendFailAndTheirEvents() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-failures");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket);
            assertThat(Cli.run(env, "backup").code()).isZero();
            env.put("DRILL_PING_URL", rx.url("/ping/drill").toString());
            env.put("PRUNE_PING_URL", rx.url("/ping/prune").toString());
            env.put("WEBHOOK_URL", rx.url("/hook/all").toString());
            Thread.sleep(1100);
            // the newest backup is older than the drill allows: the drill fails
            Cli.Result d = Cli.run(env, "drill", "--max-age", "1s");
            assertThat(d.code()).as(d.out() + d.err()).isNotZero();
            // the store is unreachable: the prune fails (transport, exit 6) after a short retry budget
            Map<String, String> down = new java.util.HashMap<>(env);
            down.put("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + closedPort());
            down.put("S3_RETRY_FOR", "1s");
            down.put("S3_TIMEOUT", "2s");
            Cli.Result p = Cli.run(down, "prune", "--keep-last", "5");
            assertThat(p.code()).as(p.err()).isEqualTo(ExitCode.STORAGE.code());
            List<String> paths = pings(rx).stream().map(Receiver.Request::path).toList();
            assertThat(paths).containsSubsequence("/ping/drill/start", "/ping/drill/fail", "/ping/prune/start",
                    "/ping/prune/fail");
            Receiver.Request drillFail = pings(rx).stream().filter(r -> r.path().equals("/ping/drill/fail")).findFirst()
                    .orElseThrow();
            assertThat(drillFail.text()).startsWith("pgbackup: error:");
            Map<String, JsonNode> byEvent = new java.util.HashMap<>();
            for (Receiver.Request h : hooks(rx)) {
                JsonNode body = JSON.readTree(h.body());
                byEvent.put(body.get("event").asText(), body);
            }
            assertThat(byEvent).containsOnlyKeys("drill.failed", "prune.failed");
            assertThat(byEvent.get("drill.failed").get("exitCode").asInt()).isEqualTo(d.code());
            assertThat(byEvent.get("prune.failed").get("exitCode").asInt()).isEqualTo(ExitCode.STORAGE.code());
            assertThat(byEvent.get("prune.failed").get("error").asText()).isNotBlank();
        }
    }

    static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aTickWithNothingDueSendsNothingAndADueTickReports() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-tick");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket);
            env.put("BACKUP_CRON", "0 0 * * *");
            env.put("PING_URL", rx.url("/ping/" + PING_TOKEN).toString());
            env.put("PUSHGATEWAY_URL", rx.url("/gw").toString());
            java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-27T00:20:00Z"), java.time.ZoneOffset.UTC);
            Cli.Result due = Cli.run(env, clock, new io.pgbackup.Cancellation(), "tick");
            assertThat(due.code()).as(due.err()).isZero();
            assertThat(due.out()).contains("backed up for slot");
            assertThat(pings(rx)).extracting(Receiver.Request::path)
                    .containsExactly("/ping/" + PING_TOKEN + "/start", "/ping/" + PING_TOKEN);
            int before = rx.requests().size();
            Cli.Result idle = Cli.run(env, clock, new io.pgbackup.Cancellation(), "tick");
            assertThat(idle.out()).contains("nothing due");
            assertThat(rx.requests()).as("nothing due: nothing sent").hasSize(before);
        }
    }

    @Test
    void aTickThatCannotReadTheStoreIsAFailedBackup() throws Exception {
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env("no-such-bucket-notify");
            env.put("BACKUP_CRON", "0 0 * * *");
            env.put("PING_URL", rx.url("/ping/" + PING_TOKEN).toString());
            Cli.Result r = Cli.run(env, "tick");
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
            assertThat(pings(rx)).extracting(Receiver.Request::path).containsExactly("/ping/" + PING_TOKEN + "/fail");
        }
    }

    @Test
    void sigtermMidBackupStillSendsFailBeforeExit130() throws Exception {
        String big = pg.createDatabase("notify_big");
        SampleData.big(pg, big, 48);
        String bucket = TestRig.get().s3().createBucket("notify-term");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = BackupIT.env(bucket, big);
            env.put("PING_URL", rx.url("/ping/" + PING_TOKEN).toString());
            env.put("SHUTDOWN_GRACE", "10s");
            env.put("S3_PART_SIZE", "5MiB");
            Path err = Files.createTempFile("term", ".err");
            Process p = Cli.start(env, err.toFile(), "backup");
            rx.await(1, q -> q.path().endsWith("/start"), Duration.ofSeconds(60));
            // let it get into the dump
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(err).contains("backing up") && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            Thread.sleep(300);
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            double took = (System.nanoTime() - t0) / 1e9;
            String log = Files.readString(err);
            assertThat(p.exitValue()).as(log).isEqualTo(ExitCode.INTERRUPTED.code());
            assertThat(took).as("within the shutdown grace").isLessThan(10);
            List<Receiver.Request> pings = pings(rx);
            assertThat(pings).extracting(Receiver.Request::path)
                    .containsExactly("/ping/" + PING_TOKEN + "/start", "/ping/" + PING_TOKEN + "/fail");
            assertThat(pings.get(1).rid()).isEqualTo(pings.get(0).rid());
            assertThat(pings.get(1).text()).contains("interrupted by SIGTERM");
        }
    }

    @Test
    void theDaemonServesMetricsAndHealthz() throws Exception {
        String bucket = TestRig.get().s3().createBucket("notify-daemon");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket);
            env.put("BACKUP_CRON", "*/3 * * * * *");
            env.put("METRICS_ADDR", "127.0.0.1:" + port);
            env.put("PING_URL", rx.url("/ping/" + PING_TOKEN).toString());
            Path err = Files.createTempFile("daemon-metrics", ".err");
            Process p = Cli.start(env, err.toFile(), "schedule");
            try {
                rx.await(2, q -> q.path().equals("/ping/" + PING_TOKEN), Duration.ofSeconds(90));
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
                Map<String, Double> m = ours(metrics.body());
                String l = "{database=" + db + ", kind=backup, prefix=prod/db1}";
                assertThat(m.get("pgbackup_last_success_timestamp_seconds" + l))
                        .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
                assertThat(m).containsEntry("pgbackup_last_run_exit_code" + l, 0.0);
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(health.body()).get("lastBackup").get("success").asBoolean()).isTrue();
            } finally {
                p.destroy();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(err)).isTrue();
            }
            // every scheduled backup: start and success with one rid each
            Map<String, List<String>> byRid = pings(rx).stream().collect(Collectors.groupingBy(Receiver.Request::rid,
                    Collectors.mapping(Receiver.Request::path, Collectors.toList())));
            assertThat(byRid).hasSizeGreaterThanOrEqualTo(2);
            byRid.values().stream().filter(v -> v.size() == 2).forEach(v -> assertThat(v).containsExactly(
                    "/ping/" + PING_TOKEN + "/start", "/ping/" + PING_TOKEN));
        }
    }
}
