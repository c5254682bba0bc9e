package io.pgbackup.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container entrypoint {@code run-backup.sh}: argument dispatch, JAVA_OPTS, exec, no secrets
 * on the console, and shellcheck-clean. A stub {@code java} that prints its arguments, one a line,
 * stands in for the JVM.
 */
class RunBackupScriptTest {
    private static final String JAR = "/opt/test/pgbackup.jar";
    /** Always first: JVM warnings go to stderr, never into pgbackup's stdout. */
    private static final String[] LOG = {"-Xlog:disable", "-Xlog:all=warning:stderr"};

    @TempDir
    Path tmp;

    private Path script;
    private Path stubDir;

    record Result(int code, List<String> args, String out, String err) {}

    @BeforeEach
    void setUp() throws Exception {
        script = FlyTomlTest.repoRoot().resolve("run-backup.sh");
        assertThat(script).isRegularFile();
        stubDir = Files.createDirectories(tmp.resolve("bin"));
        Path java = stubDir.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf 'ARG:%s\\n' \"$a\"; done\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void noArgumentsMeansBackup() throws Exception {
        Result r = run(Map.of());
        assertThat(r.code()).isZero();
        assertThat(r.args()).containsExactly(jvm("-jar", JAR, "backup"));
    }

    @Test
    void backupCronMeansTickWhichFirstAsksInAFastStartingJvm() throws Exception {
        // the stub exits 0, i.e. "nothing due": the backup-capable JVM is never started
        Result r = run(Map.of("BACKUP_CRON", "0 3 * * *"));
        assertThat(r.code()).isZero();
        assertThat(r.args()).containsExactly(jvm("-XX:TieredStopAtLevel=1", "-jar", JAR, "tick", "--check"));
    }

    @Test
    void aDueTickStartsTheRealTickWithTheImagesFlags() throws Exception {
        stub("case \"$*\" in *--check*) exit 12 ;; esac\n");
        Result r = run(Map.of("BACKUP_CRON", "0 3 * * *", "JAVA_OPTS", "-Xmx64m"));
        assertThat(r.code()).isZero();
        List<String> second = jvmArgs("-Xmx64m", "-jar", JAR, "tick");
        List<String> first = jvmArgs("-Xmx64m", "-XX:TieredStopAtLevel=1", "-jar", JAR, "tick", "--check");
        List<String> both = new ArrayList<>(first);
        both.addAll(second);
        assertThat(r.args()).containsExactlyElementsOf(both);
    }

    @Test
    void aFailedCheckIsTheExitCodeAndNothingElseRuns() throws Exception {
        stub("exit 6\n");
        Result r = run(Map.of(), "tick");
        assertThat(r.code()).isEqualTo(6);
        assertThat(r.args()).containsExactly(jvm("-XX:TieredStopAtLevel=1", "-jar", JAR, "tick", "--check"));
    }

    @Test
    void theCheckIsSkippedWhenTurnedOffOrWhenTickHasArguments() throws Exception {
        assertThat(run(Map.of("PGBACKUP_TICK_PRECHECK", "0"), "tick").args()).containsExactly(jvm("-jar", JAR, "tick"));
        assertThat(run(Map.of(), "tick", "--wait", "5m").args()).containsExactly(jvm("-jar", JAR, "tick", "--wait", "5m"));
    }

    /** Replaces the stub java: prints its arguments, then runs {@code tail}. */
    private void stub(String tail) throws Exception {
        Files.writeString(stubDir.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do printf 'ARG:%s\\n' \"$a\"; done\n" + tail,
                StandardCharsets.UTF_8);
    }

    private static List<String> jvmArgs(String... rest) {
        return Arrays.asList(jvm(rest));
    }

    @Test
    void emptyBackupCronStillMeansBackup() throws Exception {
        Result r = run(Map.of("BACKUP_CRON", ""));
        assertThat(r.args()).containsExactly(jvm("-jar", JAR, "backup"));
    }

    @Test
    void argumentsArePassedThroughUnchanged() throws Exception {
        Result r = run(Map.of("BACKUP_CRON", "0 3 * * *"), "drill", "--target", "postgres://h/db name", "*");
        assertThat(r.args()).containsExactly(jvm("-jar", JAR, "drill", "--target", "postgres://h/db name", "*"));
        assertThat(run(Map.of(), "schedule").args()).containsExactly(jvm("-jar", JAR, "schedule"));
        assertThat(run(Map.of(), "--help").args()).containsExactly(jvm("-jar", JAR, "--help"));
    }

    @Test
    void javaOptsAreSplitIntoJvmFlagsWithoutGlobbing() throws Exception {
        Files.writeString(tmp.resolve("glob-bait"), "x");
        Result r = run(Map.of("JAVA_OPTS", "  -Xmx96m   -XX:+UseSerialGC -Dpattern=*  "));
        assertThat(r.args()).containsExactly(jvm("-Xmx96m", "-XX:+UseSerialGC", "-Dpattern=*", "-jar", JAR, "backup"));
    }

    @Test
    void tmpdirBecomesJavasTempDirSoStagedPartsAndDownloadsGoWhereTheOperatorSaid() throws Exception {
        Result r = run(Map.of("TMPDIR", "/scratch", "JAVA_OPTS", "-Xmx96m"));
        assertThat(r.args()).containsExactly(jvm("-Djava.io.tmpdir=/scratch", "-Xmx96m", "-jar", JAR, "backup"));
    }

    @Test
    void cdsArchiveIsUsedWhenReadableAndJavaOptsComeAfterIt() throws Exception {
        Path jsa = Files.writeString(tmp.resolve("app.jsa"), "x");
        Result r = run(Map.of("PGBACKUP_CDS", jsa.toString(), "JAVA_OPTS", "-Xshare:off"));
        assertThat(r.args()).containsExactly(
                jvm("-XX:SharedArchiveFile=" + jsa, "-Xshare:off", "-jar", JAR, "backup"));
        assertThat(run(Map.of("PGBACKUP_CDS", tmp.resolve("missing.jsa").toString())).args())
                .containsExactly(jvm("-jar", JAR, "backup"));
        assertThat(run(Map.of("PGBACKUP_CDS", "")).args()).containsExactly(jvm("-jar", JAR, "backup"));
    }

    @Test
    void javaFromPathAndDefaultJar() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", stubDir + File.pathSeparator + "/usr/bin:/bin");
        Result r = exec(env);
        assertThat(r.code()).isZero();
        assertThat(r.args()).containsExactly(jvm("-jar", "/app/pgbackup.jar", "backup"));
    }

    @Test
    void exitCodeOfJavaIsTheContainersExitCode() throws Exception {
        Path failing = stubDir.resolve("java-fails");
        Files.writeString(failing, "#!/bin/sh\nexit 4\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = baseEnv();
        env.put("PGBACKUP_JAVA", failing.toString());
        assertThat(exec(env).code()).isEqualTo(4);
    }

    @Test
    void execsTheJvmSoSignalsReachIt() throws Exception {
        // The stub prints its own pid and its parent's: with exec, the script's shell *is* the stub,
        // so the stub's parent is this JVM.
        Path pidStub = stubDir.resolve("java-pid");
        Files.writeString(pidStub, "#!/bin/sh\necho \"PPID:$PPID\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pidStub, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = baseEnv();
        env.put("PGBACKUP_JAVA", pidStub.toString());
        Result r = exec(env);
        assertThat(r.out().strip()).isEqualTo("PPID:" + ProcessHandle.current().pid());
    }

    @Test
    void neverPrintsSecrets() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PG_URI", "postgres://app:s3cr3t-pw@db:5432/app");
        env.put("AWS_SECRET_ACCESS_KEY", "s3cr3t-key");
        env.put("AWS_ACCESS_KEY_ID", "AKIATEST");
        Result r = run(env);
        String console = r.out() + r.err();
        assertThat(console).doesNotContain("s3cr3t").doesNotContain("AKIATEST");
    }

    @Test
    void passesShellcheck() throws Exception {
        Path shellcheck = onPath("shellcheck");
        if (shellcheck == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("shellcheck is not installed, and CI=true does not allow skipping this check "
                        + "(apt-get install -y shellcheck)");
            }
            Assumptions.abort("shellcheck not installed (apt-get install -y shellcheck)");
        }
        Process p = new ProcessBuilder(shellcheck.toString(), "--shell=sh", "--severity=style", script.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("shellcheck findings:%n%s", out).isZero();
    }

    @Test
    void isPosixShWithStrictMode() throws Exception {
        List<String> lines = Files.readAllLines(script);
        assertThat(lines.get(0)).isEqualTo("#!/bin/sh");
        assertThat(lines).contains("set -eu");
        assertThat(Files.isExecutable(script)).as("run-backup.sh is executable (git mode 100755)").isTrue();
    }

    private static String[] jvm(String... rest) {
        String[] all = Arrays.copyOf(LOG, LOG.length + rest.length);
        System.arraycopy(rest, 0, all, LOG.length, rest.length);
        return all;
    }

    private Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("PGBACKUP_JAVA", stubDir.resolve("java").toString());
        env.put("PGBACKUP_JAR", JAR);
        env.put("PGBACKUP_CDS", "");
        return env;
    }

    private Result run(Map<String, String> extra, String... args) throws Exception {
        Map<String, String> env = baseEnv();
        env.putAll(extra);
        return exec(env, args);
    }

    /** Runs the script with /bin/sh (dash on Debian, as in the image) in exactly {@code env}. */
    private Result exec(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", script.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path errFile = tmp.resolve("stderr");
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
        String err = Files.readString(errFile);
        List<String> argv = out.lines().filter(l -> l.startsWith("ARG:")).map(l -> l.substring(4)).toList();
        return new Result(p.exitValue(), argv, out, err);
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
