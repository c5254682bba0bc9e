package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgbackup.ExitCode;
import io.pgbackup.notify.Receiver;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LOG_FORMAT=json: every line the real jar writes on stderr, for a backup, a failed backup and a
 * drill, is one JSON object with ECS field names; none carries a secret.
 */
class JsonLogsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HOOK_PATH = "/hook/T0/B0/json-logs-hook-token";
    static final String PING_PATH = "/ping/json-logs-ping-uuid";
    static PgServer pg;
    static String db;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("jsonlogs");
        SampleData.awkward(pg, db);
    }

    static List<JsonNode> parse(Cli.Result r, Receiver rx) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as("stderr").isNotEmpty();
        for (String line : lines) {
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
            assertThat(n.isObject()).as(line).isTrue();
            assertThat(n.get("@timestamp").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(n.get("log.level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(n.has("message")).as(line).isTrue();
            assertThat(n.has("log.logger")).as(line).isTrue();
            out.add(n);
        }
        for (String secret : List.of(PgServer.PASSWORD, URLEncoder.encode(PgServer.PASSWORD, StandardCharsets.UTF_8),
                TestRig.get().s3().secretKey(), HOOK_PATH, PING_PATH, "json-logs-hook-token", "json-logs-ping-uuid")) {
            assertThat(r.all()).as("no secret in the output").doesNotContain(secret);
        }
        return out;
    }

    Map<String, String> env(String bucket, Receiver rx) {
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("LOG_FORMAT", "json");
        env.put("LOG_LEVEL", "debug");
        env.put("WEBHOOK_URL", rx.url(HOOK_PATH).toString());
        env.put("PING_URL", rx.url(PING_PATH).toString());
        env.put("DRILL_PING_URL", rx.url(PING_PATH).toString());
        return env;
    }

    @Test
    void backupFailedBackupAndDrillLogOneJsonObjectPerLine() throws Exception {
        String bucket = TestRig.get().s3().createBucket("jsonlogs");
        try (Receiver rx = new Receiver()) {
            Map<String, String> env = env(bucket, rx);
            Cli.Result ok = Cli.runJar(env, "backup");
            assertThat(ok.code()).as(ok.err()).isZero();
            List<JsonNode> lines = parse(ok, rx);
            JsonNode done = lines.stream().filter(n -> n.get("message").asText().contains(" complete: ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no completion line: " + ok.err()));
            assertThat(done.get("log.level").asText()).isEqualTo("INFO");
            assertThat(done.get("stem").asText()).matches("\\d{4}/\\d\\d/\\d\\d/\\d\\d-\\d\\d-\\d\\d");
            assertThat(done.get("bytes").isIntegralNumber()).isTrue();
            assertThat(done.get("bytes").asLong()).isPositive();
            assertThat(done.get("rate").asLong()).isPositive();
            assertThat(done.get("duration").isNumber()).isTrue();

            Map<String, String> bad = new java.util.HashMap<>(env);
            bad.put("PG_URI", env.get("PG_URI").replace(URLEncoder.encode(PgServer.PASSWORD, StandardCharsets.UTF_8), "wrong")
                    .replace(PgServer.PASSWORD, "wrong"));
            // a webhook that fails too: its warning must be JSON and name only the host
            rx.status(500);
            Cli.Result fail = Cli.runJar(bad, "backup");
            rx.status(200);
            assertThat(fail.code()).as(fail.err()).isEqualTo(ExitCode.DATABASE.code());
            List<JsonNode> failLines = parse(fail, rx);
            JsonNode last = failLines.get(failLines.size() - 1);
            assertThat(last.get("log.level").asText()).isEqualTo("ERROR");
            assertThat(last.get("message").asText()).startsWith("pgbackup: error:").contains("password authentication failed");
            assertThat(last.get("exit.code").asInt()).isEqualTo(ExitCode.DATABASE.code());
            assertThat(last.get("exit.name").asText()).isEqualTo("DATABASE");
            assertThat(failLines).anySatisfy(n -> assertThat(n.get("message").asText()).contains("notification")
                    .contains("webhook to http://127.0.0.1:"));

            Cli.Result drill = Cli.runJar(env, "drill");
            assertThat(drill.code()).as(drill.err()).isZero();
            List<JsonNode> drillLines = parse(drill, rx);
            assertThat(drillLines).anySatisfy(n -> assertThat(n.get("log.logger").asText()).startsWith("io.pgbackup."));
        }
    }

    @Test
    void anUnknownLogFormatIsAUsageError() throws Exception {
        Map<String, String> env = Cli.baseEnv();
        env.put("LOG_FORMAT", "xml");
        Cli.Result r = Cli.runJar(env, "list");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err().strip()).isEqualTo("pgbackup: error: LOG_FORMAT must be text or json; got 'xml'");
    }
}
