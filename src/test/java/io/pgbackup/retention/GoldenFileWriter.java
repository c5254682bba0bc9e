package io.pgbackup.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * Developer tool, not a test: rewrites the {@code expected} list of golden files from the
 * planner's current output, one decision per line so diffs stay reviewable.
 *
 * <p>Only for cases too large to write by hand (the 400-day GFS series). Output written this way
 * is only trusted because {@link RetentionPlannerTest} checks the same case against hand-derived
 * values; review the diff before committing.
 *
 * <p>Usage: {@code java -cp target/classes:target/test-classes:<jackson> \
 * io.pgbackup.retention.GoldenFileWriter src/test/resources/retention/<file>.json}
 */
final class GoldenFileWriter {

    private GoldenFileWriter() {}

    public static void main(String[] args) throws IOException {
        for (String arg : args) {
            Path file = Path.of(arg);
            Files.writeString(file, render(file));
            System.out.println("wrote " + file);
        }
    }

    static String render(Path file) throws IOException {
        ObjectNode root = (ObjectNode) GoldenCase.JSON.readTree(file.toFile());
        GoldenCase c = GoldenCase.parse(file.getFileName().toString(), root);
        root.remove("expected");
        String head = GoldenCase.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).stripTrailing();
        head = head.substring(0, head.length() - 1).stripTrailing(); // drop the closing brace

        StringJoiner lines = new StringJoiner(",\n", "[\n", "\n  ]");
        for (GoldenCase.Expected e : c.actual()) {
            JsonNode node = GoldenCase.JSON.valueToTree(e);
            lines.add("    " + GoldenCase.JSON.writeValueAsString(node));
        }
        return head + ",\n  \"expected\" : " + lines + "\n}\n";
    }
}
