package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the planner pure: see package-info. Surefire runs with the project root as working dir. */
class RetentionPackageBoundaryTest {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "^import\\s+(static\\s+)?(io\\.pgbackup\\.(storage|pg|manifest|cli)\\b|java\\.io\\.|java\\.nio\\.|java\\.net\\.).*",
            Pattern.MULTILINE);

    @Test
    void mainCodeImportsNoIoOrOtherLayers() throws IOException {
        Path dir = Path.of("src/main/java/io/pgbackup/retention");
        List<Path> sources;
        try (Stream<Path> s = Files.list(dir)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            String text = Files.readString(source);
            assertThat(FORBIDDEN.matcher(text).find()).as("forbidden import in %s", source).isFalse();
            // No clock reads either: `now` is a parameter.
            assertThat(text).as("%s", source).doesNotContain("Instant.now(", "Clock.", "System.currentTimeMillis(");
        }
    }
}
