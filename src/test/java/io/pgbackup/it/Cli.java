package io.pgbackup.it;

import io.pgbackup.Main;
import io.pgbackup.Cancellation;
import io.pgbackup.jobs.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs pgbackup in-process (through {@code Main.run}) or as the real jar in a child JVM. */
public final class Cli {
    private Cli() {}

    public record Result(int code, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    /** The environment a test run starts from: PATH (for pg_dump) and nothing else of ours. */
    public static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", System.getProperty("java.io.tmpdir"));
        return env;
    }

    public static Result run(Map<String, String> env, String... args) {
        return run(env, Clock.systemUTC(), new Cancellation(), args);
    }

    public static Result run(Map<String, String> env, Clock clock, Cancellation cancellation, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new Context(env, clock, cancellation), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    public static Path jar() {
        return Path.of(System.getProperty("pgbackup.test.jar", "target/pgbackup.jar"));
    }

    /** Starts the real jar in a child JVM with exactly {@code env} (plus JAVA_HOME's java). */
    public static Process start(Map<String, String> env, String... args) throws IOException {
        return start(env, null, args);
    }

    /** As {@link #start(Map, String...)}, with stderr going to {@code errFile} when given. */
    public static Process start(Map<String, String> env, java.io.File errFile, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the image's collector: the heap check counts part buffers as Serial GC holds them
                // (G1 makes big ones humongous, with a region of waste each and fragmentation)
                "-XX:+UseSerialGC", "-Xmx128m", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (errFile != null) {
            pb.redirectError(errFile);
        }
        return pb.start();
    }

    public static Result runJar(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> copy(p.getErrorStream(), err));
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("pgbackup did not finish in 5 minutes");
        }
        t.join();
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // process gone
        }
    }
}
