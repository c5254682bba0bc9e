package io.pgbackup.health;

import io.pgbackup.config.Durations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.schedule.CronSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One golden file under {@code src/test/resources/status/}: {@code now}, {@code policy}
 * ({@code cron}/{@code tz}, durations as 1h/26h, history, maxShrink, strict), the facts
 * ({@code backups} and {@code drills} newest first, {@code debris}, {@code unreadableManifests},
 * {@code lock}) and the {@code expected} status.
 */
record StatusGoldenCase(String name, String description, Health.Input input, StatusPolicy policy, Status expected) {
    static final ObjectMapper JSON = ManifestCodec.mapper();

    static Path folder() {
        try {
            return Path.of(StatusGoldenCase.class.getClassLoader().getResource("status").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource folder 'status' not on the classpath", e);
        }
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(folder())) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StatusGoldenCase load(Path file) {
        try {
            return parse(file.getFileName().toString(), (ObjectNode) JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StatusGoldenCase parse(String name, ObjectNode root) throws IOException {
        Instant now = Instant.parse(root.get("now").asText());
        JsonNode p = root.path("policy");
        CronSchedule cron = p.hasNonNull("cron")
                ? CronSchedule.parse(p.get("cron").asText(), ZoneId.of(p.path("tz").asText("UTC"))) : null;
        StatusPolicy policy = new StatusPolicy(cron, duration(p, "grace", StatusPolicy.DEFAULT_GRACE),
                duration(p, "maxAge", StatusPolicy.DEFAULT_MAX_AGE), duration(p, "drillMaxAge", null),
                p.path("history").asInt(StatusPolicy.DEFAULT_HISTORY), p.path("maxShrink").asDouble(StatusPolicy.DEFAULT_MAX_SHRINK),
                p.path("strict").asBoolean(false));
        List<Facts.Backup> backups = new ArrayList<>();
        for (JsonNode b : root.path("backups")) {
            backups.add(JSON.treeToValue(b, Facts.Backup.class));
        }
        List<Facts.Drill> drills = new ArrayList<>();
        for (JsonNode d : root.path("drills")) {
            drills.add(JSON.treeToValue(d, Facts.Drill.class));
        }
        List<Facts.Debris> debris = new ArrayList<>();
        for (JsonNode d : root.path("debris")) {
            debris.add(JSON.treeToValue(d, Facts.Debris.class));
        }
        Facts.Lock lock = root.hasNonNull("lock") ? JSON.treeToValue(root.get("lock"), Facts.Lock.class) : null;
        Health.Input input = new Health.Input(backups, drills, debris, root.path("unreadableManifests").asInt(0), lock, now);
        Status expected = root.has("expected") ? JSON.treeToValue(root.get("expected"), Status.class) : null;
        return new StatusGoldenCase(name, root.path("description").asText(), input, policy, expected);
    }

    private static Duration duration(JsonNode p, String field, Duration dflt) {
        return p.hasNonNull(field) ? Durations.parse(p.get(field).asText()) : dflt;
    }

    Status actual() {
        return Health.evaluate(input, policy);
    }
}
