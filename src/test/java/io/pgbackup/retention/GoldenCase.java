package io.pgbackup.retention;

import io.pgbackup.config.Durations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One golden file under {@code src/test/resources/retention/}: {@code now}, {@code policy},
 * either {@code backups} (a list) or {@code generatedBackups} ({@code first}, {@code every},
 * {@code count}: a regular series, stems from the UTC start time), and {@code expected}.
 * Policy fields missing from the file default to 0 / off, except {@code minKeep} (1).
 */
record GoldenCase(
        String name,
        String description,
        Instant now,
        RetentionPolicy policy,
        List<BackupRef> backups,
        List<Expected> expected) {

    /** One expected decision, in the file's order (newest first). */
    record Expected(String stem, boolean keep, List<String> reasons) {
        static Expected of(Decision d) {
            return new Expected(d.backup().stem(), d.keep(), d.reasons());
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** Stem layout used by the generated series: UTC start time. */
    static final DateTimeFormatter STEM =
            DateTimeFormatter.ofPattern("yyyy/MM/dd/HH-mm-ss").withZone(ZoneOffset.UTC);

    static Path folder() {
        URL url = GoldenCase.class.getClassLoader().getResource("retention");
        if (url == null) {
            throw new IllegalStateException("test resource folder 'retention' not on the classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(folder())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GoldenCase load(String fileName) {
        return load(folder().resolve(fileName));
    }

    static GoldenCase load(Path file) {
        try {
            return parse(file.getFileName().toString(), JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GoldenCase parse(String name, JsonNode root) {
        JsonNode p = required(root, "policy");
        JsonNode within = p.get("keepWithin");
        RetentionPolicy policy = new RetentionPolicy(
                p.path("keepLast").asInt(0),
                within == null || within.isNull() ? null : Durations.parse(within.asText()),
                p.path("keepHourly").asInt(0),
                p.path("keepDaily").asInt(0),
                p.path("keepWeekly").asInt(0),
                p.path("keepMonthly").asInt(0),
                p.path("keepYearly").asInt(0),
                p.path("minKeep").asInt(1),
                p.path("includeLabelled").asBoolean(false),
                ZoneId.of(required(p, "zone").asText()));

        List<BackupRef> backups = new ArrayList<>();
        if (root.has("generatedBackups")) {
            JsonNode g = root.get("generatedBackups");
            Instant t = Instant.parse(required(g, "first").asText());
            Duration every = Durations.parse(required(g, "every").asText());
            int count = required(g, "count").asInt();
            for (int i = 0; i < count; i++, t = t.plus(every)) {
                backups.add(BackupRef.of(STEM.format(t), t));
            }
        }
        for (JsonNode b : root.path("backups")) {
            JsonNode label = b.get("label");
            backups.add(new BackupRef(
                    required(b, "stem").asText(),
                    Instant.parse(required(b, "startedAt").asText()),
                    label == null || label.isNull() ? null : label.asText()));
        }

        List<Expected> expected = new ArrayList<>();
        for (JsonNode e : root.path("expected")) {
            List<String> reasons = new ArrayList<>();
            required(e, "reasons").forEach(r -> reasons.add(r.asText()));
            expected.add(new Expected(required(e, "stem").asText(), required(e, "keep").asBoolean(), reasons));
        }
        return new GoldenCase(name, root.path("description").asText(""),
                Instant.parse(required(root, "now").asText()), policy, backups, expected);
    }

    /** Runs the planner on this case's input. */
    Plan plan() {
        return RetentionPlanner.plan(backups, policy, now);
    }

    /** The planner's output in the file's shape. */
    List<Expected> actual() {
        return plan().decisions().stream().map(Expected::of).toList();
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("golden file: missing field '" + field + "'");
        }
        return v;
    }

    @Override
    public String toString() {
        return name;
    }
}
