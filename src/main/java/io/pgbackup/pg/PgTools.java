package io.pgbackup.pg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the Postgres client programs: in {@code PG_BIN_DIR} when set, else on {@code PATH}. The
 * programs' own {@code --version} is the truth about which pg_dump we run; the image pins it.
 */
public final class PgTools {
    private final Path binDir;
    private final Map<String, String> env;
    /** {@code --version} answers, asked once per program (a fork each; callers ask from several threads). */
    private final Map<String, Optional<ToolVersion>> versions = new java.util.concurrent.ConcurrentHashMap<>();

    public PgTools(Map<String, String> env) {
        this.env = env;
        String dir = env.get("PG_BIN_DIR");
        this.binDir = dir == null || dir.isBlank() ? null : Path.of(dir.strip());
    }

    /** The path of {@code program}, or empty when it cannot be found. */
    public Optional<Path> find(String program) {
        if (binDir != null) {
            Path p = binDir.resolve(program);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code program --version}, parsed; empty when missing or unparseable. */
    public Optional<ToolVersion> version(String program) {
        return versions.computeIfAbsent(program, this::probe);
    }

    private Optional<ToolVersion> probe(String program) {
        Optional<Path> p = find(program);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(p.get().toString(), "--version").redirectErrorStream(true);
            Map<String, String> childEnv = ChildEnv.build(System.getenv(), Map.of());
            pb.environment().clear(); // no child gets a password or a key it does not need
            pb.environment().putAll(childEnv);
            Process proc = pb.start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!proc.waitFor(10, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                return Optional.empty();
            }
            return ToolVersion.parse(out.strip());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    public String whereToLook() {
        return binDir != null ? "PG_BIN_DIR=" + binDir : "PATH";
    }
}
