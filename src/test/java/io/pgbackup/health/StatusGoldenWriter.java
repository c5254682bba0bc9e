package io.pgbackup.health;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Developer tool, not a test: writes the {@code expected} status of golden files from the current
 * verdicts, for review. Each case states in its description what it must show; read the diff.
 * Usage: {@code java -cp target/classes:target/test-classes:<deps> io.pgbackup.health.StatusGoldenWriter FILE...}
 */
final class StatusGoldenWriter {
    private StatusGoldenWriter() {}

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            Path file = Path.of(a);
            ObjectNode root = (ObjectNode) StatusGoldenCase.JSON.readTree(file.toFile());
            StatusGoldenCase c = StatusGoldenCase.parse(file.getFileName().toString(), root);
            root.set("expected", StatusGoldenCase.JSON.valueToTree(c.actual()));
            Files.writeString(file, StatusGoldenCase.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
            System.out.println("wrote " + file);
        }
    }
}
