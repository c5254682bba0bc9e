package io.pgbackup.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's {@code JAVA_OPTS}: the benchmark measures with the very same flags (its figures are
 * the image's), the docs quote them, and this JVM accepts them without writing to stdout (stdout is
 * pgbackup's interface: a {@code CompileCommand} without {@code quiet} prints a line there).
 */
class ImageJvmFlagsTest {

    static String dockerfileFlags() throws Exception {
        Matcher m = Pattern.compile("JAVA_OPTS=\"([^\"]+)\"").matcher(Files.readString(FlyTomlTest.repoRoot().resolve("Dockerfile")));
        assertThat(m.find()).as("JAVA_OPTS=\"...\" in the Dockerfile").isTrue();
        return m.group(1);
    }

    @Test
    void benchmarkAndDocsUseTheImageFlags() throws Exception {
        String image = dockerfileFlags();
        Matcher bench = Pattern.compile("JAVA_OPTS=\\$\\{BENCH_JAVA_OPTS:-([^}]+)}")
                .matcher(Files.readString(FlyTomlTest.repoRoot().resolve("bench/run.sh")));
        assertThat(bench.find()).as("bench/run.sh default JAVA_OPTS").isTrue();
        assertThat(bench.group(1)).isEqualTo(image);
        assertThat(Files.readString(FlyTomlTest.repoRoot().resolve("README.md"))).contains("`" + image + "`");
        assertThat(Files.readString(FlyTomlTest.repoRoot().resolve("deploy/docker-run.md"))).contains("`" + image + "`");
    }

    @Test
    void theFlagsStartThisJvmAndKeepStdoutClean() throws Exception {
        String image = dockerfileFlags();
        assertThat(image).contains("-XX:CompileCommand=quiet");
        assertThat(image.indexOf("-XX:CompileCommand=quiet")).as("quiet before any other CompileCommand")
                .isLessThan(image.indexOf("-XX:CompileCommand=exclude"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(image.trim().split("\\s+")));
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).start();
        byte[] out;
        byte[] err;
        try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
            ByteArrayOutputStream eb = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try {
                    e.transferTo(eb);
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            t.start();
            out = o.readAllBytes();
            t.join(30_000);
            err = eb.toByteArray();
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(err, StandardCharsets.UTF_8)).isZero();
        assertThat(new String(out, StandardCharsets.UTF_8)).as("the JVM's stdout with the image flags").isEmpty();
        assertThat(new String(err, StandardCharsets.UTF_8)).contains("version").doesNotContain("Unrecognized");
    }

    /** Each method the flags keep from the compiler still exists: a library upgrade that renames it would void the rule. */
    @Test
    void everyExcludedMethodExists() throws Exception {
        Matcher m = Pattern.compile("-XX:CompileCommand=exclude,([\\w.$]+)::(\\w+)").matcher(dockerfileFlags());
        int found = 0;
        while (m.find()) {
            Class<?> c = Class.forName(m.group(1), false, getClass().getClassLoader());
            String method = m.group(2);
            assertThat(Arrays.stream(c.getDeclaredMethods()).map(java.lang.reflect.Method::getName)).as(m.group())
                    .contains(method);
            found++;
        }
        assertThat(found).as("the SCRAM login loop and the HTTP client's output buffer").isEqualTo(2);
    }
}
