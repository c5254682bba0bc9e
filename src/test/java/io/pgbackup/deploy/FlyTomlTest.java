package io.pgbackup.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards {@code fly.toml}: a worker app (no HTTP service) that builds the repository's Dockerfile,
 * runs {@code pgbackup schedule} on a 256 MB machine, and whose {@code [env]} holds only settings
 * pgbackup actually reads and nothing secret (secrets belong in {@code fly secrets}).
 */
class FlyTomlTest {

    /**
     * Every environment variable pgbackup reads (the documented contract; see the README and
     * {@code --help} of each command). An [env] key outside this set is a typo or a stale name
     * that pgbackup would silently ignore.
     */
    static final Set<String> KNOWN_ENV = Set.of(
            "PG_URI", "DATABASE_URL", "RESTORE_PG_URI",
            "S3_BUCKET", "BUCKET_NAME", "S3_PREFIX",
            "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "S3_ENDPOINT",
            "AWS_REGION", "AWS_DEFAULT_REGION", "S3_PATH_STYLE", "S3_CHECKSUMS", "S3_PART_SIZE",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ID", "AWS_SECRET",
            "BACKUP_DIR", "BACKUP_FORMAT", "SQL_COMPRESSION", "BACKUP_LABEL", "PG_DUMP_OPTIONS",
            "COUNT_ROWS", "PROGRESS_INTERVAL", "PG_BIN_DIR", "LOG_LEVEL",
            "BACKUP_CRON", "BACKUP_TZ", "DRILL_CRON", "PRUNE",
            "KEEP_LAST", "KEEP_WITHIN", "KEEP_HOURLY", "KEEP_DAILY", "KEEP_WEEKLY", "KEEP_MONTHLY",
            "KEEP_YEARLY", "MIN_KEEP",
            "JAVA_OPTS");

    /** Name fragments that mark a variable as a secret, which must never sit in fly.toml. */
    static final List<String> SECRET_NAME_PARTS =
            List.of("PASSWORD", "SECRET", "KEY", "TOKEN", "PG_URI", "DATABASE_URL", "CREDENTIAL", "PING_URL", "WEBHOOK_URL",
                    "PUSHGATEWAY_URL", "AGE_IDENTITY");

    static JsonNode fly;

    @BeforeAll
    static void parse() throws Exception {
        Path file = repoRoot().resolve("fly.toml");
        assertThat(file).as("fly.toml at the repository root").isRegularFile();
        fly = new TomlMapper().readTree(Files.readString(file));
    }

    @Test
    void isAWorkerAppWithAPlaceholderName() {
        assertThat(fly.path("app").asText()).isNotBlank();
        assertThat(fly.path("primary_region").asText()).isNotBlank();
        assertThat(fly.has("http_service")).as("a worker has no [http_service]").isFalse();
        assertThat(fly.has("services")).as("a worker has no [[services]]").isFalse();
    }

    @Test
    void buildsTheRepositoryDockerfile() {
        String dockerfile = fly.path("build").path("dockerfile").asText();
        assertThat(dockerfile).isEqualTo("Dockerfile");
        assertThat(repoRoot().resolve(dockerfile)).isRegularFile();
        assertThat(fly.path("build").has("image")).as("[build] must not also name a prebuilt image").isFalse();
    }

    @Test
    void envHoldsOnlyNamesPgbackupReads() {
        JsonNode env = fly.path("env");
        assertThat(env.isObject()).as("[env] table").isTrue();
        List<String> keys = fieldNames(env);
        assertThat(keys).isNotEmpty();
        assertThat(keys).as("[env] keys pgbackup does not read (typo or stale name?)")
                .allSatisfy(k -> assertThat(KNOWN_ENV).contains(k));
        assertThat(keys).contains("BACKUP_CRON", "S3_PREFIX");
        for (String k : keys) {
            assertThat(env.get(k).isValueNode()).as("[env] %s must be a plain value", k).isTrue();
        }
    }

    @Test
    void nothingSecretInEnvOrBuildArgs() {
        for (String table : List.of("env", "build.args")) {
            JsonNode node = table.equals("env") ? fly.path("env") : fly.path("build").path("args");
            for (String k : fieldNames(node)) {
                String upper = k.toUpperCase(Locale.ROOT);
                assertThat(SECRET_NAME_PARTS)
                        .as("[%s] %s looks like a secret: use `fly secrets set`", table, k)
                        .noneMatch(upper::contains);
            }
        }
        // Any value anywhere in the file: no URI with credentials (user:password@host).
        List<String> values = new ArrayList<>();
        collectValues(fly, values);
        assertThat(values).isNotEmpty();
        assertThat(values).as("values that embed credentials")
                .noneMatch(v -> v.contains("://") && v.contains("@"));
    }

    @Test
    void vmIsASharedCpuWith256Mb() {
        JsonNode vms = fly.path("vm");
        assertThat(vms.isArray()).as("[[vm]] is an array of tables").isTrue();
        assertThat(vms).hasSize(1);
        JsonNode vm = vms.get(0);
        assertThat(vm.path("size").asText()).isEqualTo("shared-cpu-1x");
        assertThat(memoryMb(vm)).isEqualTo(256);
    }

    @Test
    void processesRunTheScheduler() {
        JsonNode processes = fly.path("processes");
        assertThat(processes.isObject()).as("[processes] table").isTrue();
        List<String> commands = new ArrayList<>();
        processes.fields().forEachRemaining(e -> commands.add(e.getValue().asText()));
        assertThat(commands).as("a process running `pgbackup schedule`")
                .anySatisfy(c -> assertThat(c.strip().split("\\s+")[0]).isEqualTo("schedule"));
        // Every [[vm]] that names processes names existing ones.
        for (JsonNode vm : fly.path("vm")) {
            for (JsonNode p : vm.path("processes")) {
                assertThat(processes.has(p.asText())).as("[[vm]] process %s is defined", p.asText()).isTrue();
            }
        }
    }

    /** The repository root: Maven runs tests there; {@code basedir} when a runner says otherwise. */
    static Path repoRoot() {
        String basedir = System.getProperty("basedir");
        Path root = basedir != null && !basedir.isBlank() ? Path.of(basedir) : Path.of("");
        return root.toAbsolutePath().normalize();
    }

    static int memoryMb(JsonNode vm) {
        if (vm.has("memory_mb")) {
            return vm.get("memory_mb").asInt();
        }
        JsonNode m = vm.path("memory");
        if (m.isNumber()) {
            return m.asInt();
        }
        String s = m.asText().strip().toLowerCase(Locale.ROOT);
        if (s.endsWith("gb")) {
            return Integer.parseInt(s.substring(0, s.length() - 2).strip()) * 1024;
        }
        if (s.endsWith("mb")) {
            s = s.substring(0, s.length() - 2).strip();
        }
        return Integer.parseInt(s);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collectValues(JsonNode node, List<String> out) {
        if (node.isValueNode()) {
            out.add(node.asText());
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                collectValues(it.next().getValue(), out);
            }
        } else {
            node.forEach(n -> collectValues(n, out));
        }
    }
}
