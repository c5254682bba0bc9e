package io.pgbackup.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class LineLoggerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void reset() {
        LogConfig.format(LogConfig.Format.TEXT);
        LogConfig.level(Level.INFO);
        LogTail.clear();
    }

    static List<String> lines() {
        return LogTail.tail(1_000_000).lines().toList();
    }

    @Test
    void slf4jFindsOurProvider() {
        assertThat(LoggerFactory.getLogger("x")).isInstanceOf(LineLogger.class);
    }

    @Test
    void jsonLinesHaveEcsFieldsAndKeyValues() throws Exception {
        LogConfig.format(LogConfig.Format.JSON);
        LogTail.clear();
        Logger log = LoggerFactory.getLogger("io.pgbackup.backup.take.BackupService");
        log.atInfo().addKeyValue("stem", "2026/12/01/03-00-00").addKeyValue("bytes", 1234L).addKeyValue("duration", 1.5)
                .log("backup {} complete", "2026/12/01/03-00-00");
        log.warn("a \"quoted\"\nmultiline {}", "thing", new IllegalStateException("boom"));
        List<String> l = lines();
        assertThat(l).hasSize(2);
        JsonNode a = JSON.readTree(l.get(0));
        assertThat(a.get("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(a.get("log.level").asText()).isEqualTo("INFO");
        assertThat(a.get("message").asText()).isEqualTo("backup 2026/12/01/03-00-00 complete");
        assertThat(a.get("log.logger").asText()).isEqualTo("io.pgbackup.backup.take.BackupService");
        assertThat(a.get("stem").asText()).isEqualTo("2026/12/01/03-00-00");
        assertThat(a.get("bytes").isIntegralNumber()).isTrue();
        assertThat(a.get("bytes").asLong()).isEqualTo(1234);
        assertThat(a.get("duration").asDouble()).isEqualTo(1.5);
        JsonNode b = JSON.readTree(l.get(1));
        assertThat(b.get("message").asText()).isEqualTo("a \"quoted\"\nmultiline thing");
        assertThat(b.get("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(b.get("error.message").asText()).isEqualTo("boom");
        assertThat(b.get("error.stack_trace").asText()).contains("at io.pgbackup.log.LineLoggerTest");
    }

    @Test
    void textIsTheDefaultAndLevelsFilter() {
        LogTail.clear();
        Logger log = LoggerFactory.getLogger("io.pgbackup.x.Thing");
        log.debug("hidden");
        log.info("shown {}", 1);
        LoggerFactory.getLogger("software.amazon.awssdk.Foo").info("sdk chatter");
        assertThat(lines()).singleElement().asString().matches("\\S+Z INFO Thing - shown 1");
        LogConfig.level(Level.DEBUG);
        log.debug("now shown");
        assertThat(lines()).hasSize(2);
    }

    @Test
    void consoleMessagesAreJsonTooWithTheExitCode() throws Exception {
        LogConfig.format(LogConfig.Format.JSON);
        JsonNode n = JSON.readTree(Console.format("ERROR", "pgbackup: error: \"x\"\tbroken", 5, "STORAGE"));
        assertThat(n.get("message").asText()).isEqualTo("pgbackup: error: \"x\"\tbroken");
        assertThat(n.get("exit.code").asInt()).isEqualTo(5);
        assertThat(n.get("exit.name").asText()).isEqualTo("STORAGE");
        LogConfig.format(LogConfig.Format.TEXT);
        assertThat(Console.format("ERROR", "plain", 5, "STORAGE")).isEqualTo("plain");
    }

    @Test
    void configureReadsTheEnvironment() {
        LogConfig.configure(Map.of("LOG_FORMAT", "JSON", "LOG_LEVEL", "warning"));
        assertThat(LogConfig.format()).isEqualTo(LogConfig.Format.JSON);
        assertThat(LogConfig.levelOf("io.pgbackup.Main")).isEqualTo(Level.WARN);
        assertThat(LogConfig.valid("json")).isTrue();
        assertThat(LogConfig.valid("xml")).isFalse();
    }
}
