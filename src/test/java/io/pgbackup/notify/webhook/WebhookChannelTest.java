package io.pgbackup.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgbackup.notify.Http;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.Receiver;
import io.pgbackup.notify.RunInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookChannelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
    static final RunInfo RUN = new RunInfo("6f1c2b1e-8a8e-4d0e-9c39-3b0f2a6c9d11", Kind.BACKUP, "backup", "worker-1",
            "s3://bucket (https://s3.example.com)", "prod/db", "app", T0);

    static Outcome ok() {
        return Outcome.success(T0.plusMillis(12_345), "backup ok").with(new Outcome.Backup("2026/12/01/03-00-00",
                List.of(new Outcome.StoredObject("prod/db/2026/12/01/03-00-00.dump", "custom", 1000)), "app", 5000L,
                        42L)).with(Map.of("tables", "2"));
    }

    @Test
    void hmacIsTheGithubConvention() {
        // RFC 4231 test case 2
        assertThat(WebhookChannel.hmac("Jefe".getBytes(StandardCharsets.UTF_8),
                "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void postsTheEventSignedAndAReceiverCanVerifyIt() throws Exception {
        try (Receiver rx = new Receiver()) {
            WebhookChannel ch = new WebhookChannel(rx.url("/hooks/T0K3N"), WebhookChannel.EVENTS, "s3cret", false,
                    new Http(Duration.ofSeconds(5)));
            ch.started(RUN);
            ch.finished(RUN, ok());
            Receiver.Request r = rx.requests().get(0);
            assertThat(rx.requests()).hasSize(1);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(r.header("X-Pgbackup-Signature"))
                    .isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(r.body())));
            JsonNode n = JSON.readTree(r.body());
            assertThat(n.get("event").asText()).isEqualTo("backup.succeeded");
            assertThat(n.get("runId").asText()).isEqualTo(RUN.runId());
            assertThat(n.get("host").asText()).isEqualTo("worker-1");
            assertThat(n.get("store").asText()).isEqualTo("s3://bucket (https://s3.example.com)");
            assertThat(n.get("prefix").asText()).isEqualTo("prod/db");
            assertThat(n.get("stem").asText()).isEqualTo("2026/12/01/03-00-00");
            assertThat(n.get("startedAt").asText()).isEqualTo("2026-12-01T03:00:00Z");
            assertThat(n.get("finishedAt").asText()).isEqualTo("2026-12-01T03:00:12.345Z");
            assertThat(n.get("durationMillis").asLong()).isEqualTo(12_345);
            assertThat(n.get("exitCode").asInt()).isZero();
            assertThat(n.get("exitName").asText()).isEqualTo("OK");
            assertThat(n.get("objects").get(0).get("bytes").asLong()).isEqualTo(1000);
            assertThat(n.get("database").get("name").asText()).isEqualTo("app");
            assertThat(n.get("database").get("sizeBytes").asLong()).isEqualTo(5000);
            assertThat(n.get("rows").asLong()).isEqualTo(42);
        }
    }

    @Test
    void aFailureCarriesItsCodeNameAndErrorLineAndTheConfiguredDatabase() throws Exception {
        JsonNode n = JSON.readTree(WebhookChannel.json("backup.failed", RUN,
                Outcome.failure(4, "DATABASE", "pgbackup: error: password authentication failed", T0.plusSeconds(2))));
        assertThat(n.get("exitCode").asInt()).isEqualTo(4);
        assertThat(n.get("exitName").asText()).isEqualTo("DATABASE");
        assertThat(n.get("error").asText()).isEqualTo("pgbackup: error: password authentication failed");
        assertThat(n.get("database").get("name").asText()).isEqualTo("app");
        assertThat(n.has("stem")).isFalse();
    }

    @Test
    void slackGetsOneTextFieldAndEventsAreFiltered() throws Exception {
        try (Receiver rx = new Receiver()) {
            WebhookChannel ch = new WebhookChannel(rx.url("/services/X"), Set.of("backup.failed"), null, true,
                    new Http(Duration.ofSeconds(5)));
            ch.finished(RUN, ok()); // filtered out
            ch.finished(RUN, Outcome.failure(5, "STORAGE", "pgbackup: error: store down", T0.plusSeconds(1)));
            assertThat(rx.requests()).hasSize(1);
            JsonNode n = JSON.readTree(rx.requests().get(0).body());
            assertThat(n.size()).isEqualTo(1);
            assertThat(n.get("text").asText()).contains("backup.failed").contains("worker-1").contains("exit 5 STORAGE")
                    .contains("store down");
            assertThat(rx.requests().get(0).header("X-Pgbackup-Signature")).isNull();
        }
    }

    @Test
    void eventNames() {
        assertThat(WebhookChannel.event(Kind.BACKUP, true)).isEqualTo("backup.succeeded");
        assertThat(WebhookChannel.event(Kind.DRILL, false)).isEqualTo("drill.failed");
        assertThat(WebhookChannel.event(Kind.PRUNE, true)).isNull();
        assertThat(WebhookChannel.event(Kind.PRUNE, false)).isEqualTo("prune.failed");
        assertThat(WebhookChannel.event(Kind.STATUS, true)).isNull();
        assertThat(WebhookChannel.event(Kind.STATUS, false)).isEqualTo("status.unhealthy");
        WebhookChannel onlyDrills = new WebhookChannel(java.net.URI.create("http://x/"), Set.of("drill.failed"), null,
                false, null);
        assertThat(onlyDrills.wants(Kind.DRILL)).isTrue();
        assertThat(onlyDrills.wants(Kind.BACKUP)).isFalse();
    }
}
