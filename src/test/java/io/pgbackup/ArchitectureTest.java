package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of README's architecture section, held against the code's imports: a package may
 * import only the packages listed for it (and its own sub-packages' parent, for the sub-packages
 * of notify, pipeline and storage), never one above it. {@code root} is io.pgbackup itself
 * (exit codes, exceptions, cancellation); only Main there imports the command line.
 */
class ArchitectureTest {
    private static final Set<String> GROUND = Set.of("root", "config");
    private static final Set<String> VALUES = Set.of("root", "config", "manifest", "pg", "pipeline", "pipeline.age",
            "health", "schedule", "retention");
    private static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("cli", union(VALUES, Set.of("jobs", "backup.take", "backup.restore", "backup.drill")));
        ALLOWED.put("jobs", union(VALUES, Set.of("backup.take", "backup.restore", "backup.drill", "backup.inspect",
                "backup.prune", "repo", "notify", "notify.metrics", "storage", "storage.s3", "storage.fs")));
        Set<String> services = Set.of("root", "config", "manifest", "pg", "pipeline", "pipeline.age", "repo", "storage");
        ALLOWED.put("backup.take", services);
        ALLOWED.put("backup.restore", services);
        ALLOWED.put("backup.drill", union(services, Set.of("backup.restore")));
        ALLOWED.put("backup.inspect", union(services, Set.of("health")));
        ALLOWED.put("backup.prune", union(services, Set.of("retention", "health")));
        ALLOWED.put("repo", Set.of("root", "config", "manifest", "pipeline", "pipeline.age", "storage"));
        Set<String> notify = Set.of("root", "config", "log", "notify", "notify.metrics", "notify.ping", "notify.webhook");
        for (String n : List.of("notify", "notify.metrics", "notify.ping", "notify.webhook")) {
            ALLOWED.put(n, notify);
        }
        ALLOWED.put("backup", GROUND);
        ALLOWED.put("pg", GROUND);
        ALLOWED.put("pipeline", union(GROUND, Set.of("pipeline.age")));
        ALLOWED.put("pipeline.age", union(GROUND, Set.of("pipeline")));
        ALLOWED.put("health", union(GROUND, Set.of("manifest", "schedule")));
        ALLOWED.put("storage.s3", union(GROUND, Set.of("storage")));
        ALLOWED.put("storage.fs", union(GROUND, Set.of("storage")));
        for (String ground : List.of("storage", "schedule", "retention", "config")) {
            ALLOWED.put(ground, GROUND);
        }
        ALLOWED.put("manifest", Set.of("root"));
        ALLOWED.put("log", Set.of("root"));
    }

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?io\\.pgbackup\\.([\\w.]+);",
            Pattern.MULTILINE);

    @Test
    void noPackageImportsOneAboveIt() throws IOException {
        Path base = Path.of("src/main/java/io/pgbackup");
        List<String> violations = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> s = Files.walk(base)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).hasSizeGreaterThan(100);
        for (Path f : sources) {
            String pkg = packageOf(base.relativize(f.getParent()));
            if (pkg.equals("root")) {
                continue; // Main wires the command line; the rest of the root package imports nothing of ours
            }
            Set<String> allowed = ALLOWED.get(pkg);
            assertThat(allowed).as("a rule for package %s (add it here and to README's picture)", pkg).isNotNull();
            Matcher m = IMPORT.matcher(Files.readString(f));
            while (m.find()) {
                String target = packageOfImport(m.group(1));
                if (!target.equals(pkg) && !allowed.contains(target)) {
                    violations.add(base.relativize(f) + " imports " + m.group(1) + " (" + pkg + " -> " + target + ")");
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void everyPackageSaysWhatItHoldsAndMayImport() throws IOException {
        Path base = Path.of("src/main/java/io/pgbackup");
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(base)) {
            dirs = s.filter(Files::isDirectory).filter(d -> {
                try (Stream<Path> in = Files.list(d)) {
                    return in.anyMatch(p -> p.toString().endsWith(".java"));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
        for (Path d : dirs) {
            if (d.equals(base)) {
                continue;
            }
            Path info = d.resolve("package-info.java");
            assertThat(info).as("package-info for %s", d).exists();
            assertThat(Files.readString(info)).as("%s states what it may import", info).containsIgnoringCase("import");
        }
    }

    /** {@code backup/take} -> {@code backup.take}; one level for the rest (storage/s3 -> storage.s3). */
    private static String packageOf(Path rel) {
        String p = rel.toString().replace('/', '.');
        return p.isEmpty() ? "root" : p;
    }

    private static String packageOfImport(String name) {
        String[] parts = name.split("\\.");
        List<String> pkg = new ArrayList<>();
        for (String part : parts) {
            if (Character.isUpperCase(part.charAt(0))) {
                break;
            }
            pkg.add(part);
        }
        return pkg.isEmpty() ? "root" : String.join(".", pkg);
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        java.util.HashSet<String> all = new java.util.HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }
}
