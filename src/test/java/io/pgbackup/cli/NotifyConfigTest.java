package io.pgbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.Main;
import io.pgbackup.config.Setting;
import io.pgbackup.jobs.Context;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Notification settings are checked before anything runs (exit 2), and never echo a URL. */
@Timeout(60)
class NotifyConfigTest {
    @TempDir
    Path tmp;
    Map<String, String> env;

    @BeforeEach
    void setUp() {
        env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("BACKUP_DIR", tmp.resolve("backups").toString());
        env.put("PG_URI", "postgres://u:pw@127.0.0.1:1/db");
        env.put("BACKUP_CRON", "0 3 * * *");
    }

    record Run(int rc, String err) {}

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(args, new Context(Map.copyOf(env), Clock.systemUTC(), new Cancellation()), new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Run(rc, err.toString().strip());
    }

    void assertConfigError(Run r, String names) {
        assertThat(r.rc()).as(r.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).doesNotContain("\n").contains(names);
        assertThat(tmp.resolve("backups")).as("nothing ran").doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"backup", "tick", "schedule", "drill", "status", "prune"})
    void aPingUrlThatIsNotHttpIsExit2WithoutEchoingIt(String command) {
        String var = switch (command) {
            case "drill" -> "DRILL_PING_URL";
            case "status" -> "STATUS_PING_URL";
            case "prune" -> "PRUNE_PING_URL";
            default -> "PING_URL";
        };
        env.put(var, "ftp://hc-ping.example/SECRET-UUID-123");
        if (command.equals("prune")) {
            env.put("KEEP_LAST", "3");
        }
        Run r = run(command);
        assertConfigError(r, var);
        assertThat(r.err()).doesNotContain("SECRET-UUID-123").doesNotContain("hc-ping.example");
    }

    @Test
    void unknownWebhookEventNamesItAndTheKnownOnes() {
        env.put("WEBHOOK_URL", "https://hooks.example/T/SECRET");
        env.put("WEBHOOK_EVENTS", "backup.failed,backup.exploded");
        Run r = run("backup");
        assertConfigError(r, "WEBHOOK_EVENTS");
        assertThat(r.err()).contains("backup.exploded").contains("drill.failed").doesNotContain("SECRET");
    }

    @Test
    void aBadWebhookUrlAmongSeveralIsExit2() {
        env.put("WEBHOOK_URL", "https://hooks.example/ok, not a url SECRET");
        assertConfigError(run("backup"), "WEBHOOK_URL");
    }

    @Test
    void webhookFormatMustBeJsonOrSlack() {
        env.put("WEBHOOK_URL", "https://hooks.example/x");
        env.put("WEBHOOK_FORMAT", "teams");
        assertConfigError(run("backup"), "WEBHOOK_FORMAT");
    }

    @Test
    void notifyTimeoutMustBeADuration() {
        env.put("NOTIFY_TIMEOUT", "soon");
        assertConfigError(run("backup"), "NOTIFY_TIMEOUT");
    }

    @Test
    void aFlagIsNamedAsTheFlag() {
        assertConfigError(run("backup", "--pushgateway-url", "pushgateway:9091"), "--pushgateway-url");
    }

    @Test
    void metricsAddrIsCheckedBeforeTheDaemonStarts() {
        env.put("METRICS_ADDR", "everywhere");
        assertConfigError(run("schedule"), "METRICS_ADDR");
    }

    @Test
    void logFormatIsCheckedFirst() {
        env.put("LOG_FORMAT", "xml");
        assertConfigError(run("backup"), "LOG_FORMAT");
    }

    @Test
    void listenAddresses() {
        assertThat(ScheduleCommand.listenAddress(Setting.resolve(Map.of("METRICS_ADDR", ":9187"), "--metrics-addr", null, null,
                "METRICS_ADDR"))).isEqualTo(new InetSocketAddress(9187));
        assertThat(ScheduleCommand.listenAddress(Setting.resolve(Map.of("METRICS_ADDR", "127.0.0.1:9"), "--metrics-addr",
                null, null, "METRICS_ADDR"))).isEqualTo(new InetSocketAddress("127.0.0.1", 9));
        assertThat(ScheduleCommand.listenAddress(Setting.resolve(Map.of("METRICS_ADDR", "[::1]:9187"), "--metrics-addr",
                null, null, "METRICS_ADDR")).getPort()).isEqualTo(9187);
    }
}
