package io.pgbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.Main;
import io.pgbackup.jobs.Context;
import io.pgbackup.Cancellation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drives the CLI in-process with a private environment. Nothing here needs a database: the
 * "valid" source points at 127.0.0.1:1, where nothing listens, so a run that got past config
 * validation ends with exit 3, and one that did not ends with exit 2 before any connection.
 */
@Timeout(60)
class CliConfigTest {

    private static final String PW = "pwSecret9";
    private static final String GOOD_URI = "postgres://u:" + PW + "@127.0.0.1:1/db";

    @TempDir
    Path tmp;

    private Path backupDir;
    private Map<String, String> env;

    /** Outcome of one run. */
    record Run(int rc, String out, String err) {
        String errLine() {
            return err.strip();
        }
    }

    @BeforeEach
    void setUp() {
        backupDir = tmp.resolve("backups");
        env = new HashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        env.put("BACKUP_DIR", backupDir.toString());
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc;
        try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
            rc = Main.run(args, new Context(Map.copyOf(env), Clock.systemUTC(), new Cancellation()), o, e);
        }
        return new Run(rc, out.toString(), err.toString());
    }

    private static void assertOneLine(Run r) {
        assertThat(r.errLine()).as("stderr").isNotEmpty().doesNotContain("\n").doesNotContain("\r");
    }

    private void assertNothingWritten() {
        assertThat(backupDir).as("BACKUP_DIR after a config error").doesNotExist();
    }

    private Run usageError(String... args) {
        Run r = run(args);
        assertThat(r.rc()).as("exit code; stderr: %s", r.err()).isEqualTo(ExitCode.USAGE.code());
        assertOneLine(r);
        assertThat(r.errLine()).doesNotContain(PW);
        assertNothingWritten();
        return r;
    }

    // ---- Object Lock, the second store, reading the past ------------------------------------

    private void bucket() {
        env.put("PG_URI", GOOD_URI);
        env.put("S3_BUCKET", "backups");
        env.put("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1");
        env.put("AWS_ACCESS_KEY_ID", "k");
        env.put("AWS_SECRET_ACCESS_KEY", "s");
    }

    @Test
    void aLockNeedsItsLengthAndALengthItsLock() {
        bucket();
        env.put("S3_OBJECT_LOCK", "governance");
        assertThat(usageError("backup").errLine()).contains("S3_OBJECT_LOCK=governance needs S3_LOCK_FOR");
        env.put("S3_OBJECT_LOCK", "off");
        env.put("S3_LOCK_FOR", "30d");
        assertThat(usageError("backup").errLine()).contains("S3_LOCK_FOR is set but S3_OBJECT_LOCK is off");
        env.put("S3_OBJECT_LOCK", "forever");
        assertThat(usageError("backup").errLine()).contains("S3_OBJECT_LOCK must be off, governance or compliance");
        env.put("S3_OBJECT_LOCK", "compliance");
        env.put("S3_LOCK_FOR", "0");
        assertThat(usageError("backup").errLine()).contains("S3_LOCK_FOR must be a duration");
    }

    @Test
    void aDirectoryCannotBeLocked() {
        env.put("PG_URI", GOOD_URI);
        env.put("S3_OBJECT_LOCK", "compliance");
        env.put("S3_LOCK_FOR", "30d");
        assertThat(usageError("backup").errLine()).contains("S3_OBJECT_LOCK needs an S3 bucket");
    }

    @Test
    void aRetentionPolicyMustKeepWhatIsLocked() {
        bucket();
        env.put("S3_OBJECT_LOCK", "compliance");
        env.put("S3_LOCK_FOR", "30d");
        assertThat(usageError("prune", "--keep-last", "7").errLine()).contains("KEEP_WITHIN is unset")
                .contains("S3_LOCK_FOR 30d").contains("at least 30d");
        assertThat(usageError("prune", "--keep-within", "7d").errLine()).contains("KEEP_WITHIN is 7d");
        env.put("PRUNE", "true");
        env.put("KEEP_LAST", "7");
        env.put("BACKUP_CRON", "0 3 * * *");
        assertThat(usageError("tick").errLine()).as("checked before a tick runs").contains("S3_LOCK_FOR 30d");
        env.remove("S3_OBJECT_LOCK");
        env.remove("S3_LOCK_FOR");
        env.put("COPY_S3_BUCKET", "offsite");
        env.put("COPY_S3_OBJECT_LOCK", "governance");
        env.put("COPY_S3_LOCK_FOR", "90d");
        env.remove("KEEP_LAST");
        env.put("KEEP_WITHIN", "30d");
        assertThat(usageError("tick").errLine()).as("the second store's own lock and retention")
                .contains("COPY_KEEP_WITHIN is 30d").contains("COPY_S3_LOCK_FOR 90d");
    }

    @Test
    void theSecondStoreAndThePastMustExistToBeRead() {
        assertThat(usageError("list", "--store", "copy").errLine()).contains("--store copy needs a second store");
        assertThat(usageError("list", "--store", "elsewhere").errLine()).contains("--store must be primary or copy");
        assertThat(usageError("list", "--as-of", "2026-12-01").errLine()).contains("--as-of reads the versions");
        assertThat(usageError("status", "--as-of", "2026-12-01").errLine()).contains("--as-of is for list");
        assertThat(usageError("sync").errLine()).contains("sync needs a second store");
        env.put("COPY_S3_BUCKET", "Not_A_Bucket");
        assertThat(usageError("list", "--store", "copy").errLine()).contains("S3_BUCKET 'Not_A_Bucket'");
    }

    // ---- help and parsing ------------------------------------------------------------------

    @Test
    void rootHelpListsBackup() {
        Run r = run("--help");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).contains("backup").contains("Exit codes");
        assertNothingWritten();
    }

    @Test
    void backupHelpShowsEnvironmentNamesAndDefaults() {
        Run r = run("backup", "--help");
        assertThat(r.rc()).isZero();
        assertThat(r.out())
                .contains("PG_URI").contains("DATABASE_URL")
                .contains("S3_BUCKET").contains("BACKUP_DIR")
                .contains("SQL_COMPRESSION").contains("PG_DUMP_OPTIONS").contains("S3_PART_SIZE")
                .contains("Default: ./backups").contains("Default: zstd").contains("Default: both")
                .contains("Default: 8MiB");
        assertNothingWritten();
    }

    @Test
    void unknownOptionIsAOneLineUsageError() {
        env.put("PG_URI", GOOD_URI);
        Run r = usageError("backup", "--no-such-option");
        assertThat(r.errLine()).contains("--no-such-option").startsWith("pgbackup:");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        Run r = usageError("bakup");
        assertThat(r.errLine()).contains("bakup");
    }

    // ---- the source database ---------------------------------------------------------------

    @Test
    void noDatabaseConfigured() {
        Run r = usageError("backup");
        assertThat(r.errLine()).contains("PG_URI");
    }

    @Test
    void blankPgUriCountsAsUnset() {
        env.put("PG_URI", "  \n");
        Run r = usageError("backup");
        assertThat(r.errLine()).contains("PG_URI");
    }

    @Test
    void nonPostgresPgUri() {
        env.put("PG_URI", "mysql://u:secret@h/db");
        Run r = usageError("backup");
        assertThat(r.errLine()).contains("PG_URI").doesNotContain("secret");
    }

    @Test
    void quotedPgUriWithNewlineIsCleanedAndAccepted() {
        env.put("PG_URI", "\"" + GOOD_URI + "\"\n");
        Run r = run("backup");
        assertThat(r.rc()).as("stderr: %s", r.err()).isEqualTo(ExitCode.DATABASE.code());
    }

    @Test
    void flagBeatsEnvironment() {
        env.put("PG_URI", GOOD_URI);
        Run r = usageError("backup", "--pg-uri", "mysql://u:secret@h/db");
        assertThat(r.errLine()).contains("--pg-uri").doesNotContain("PG_URI").doesNotContain("secret");
    }

    @Test
    void goodFlagBeatsBadEnvironment() {
        env.put("PG_URI", "mysql://u:secret@h/db");
        Run r = run("backup", "--pg-uri=" + GOOD_URI);
        assertThat(r.rc()).as("stderr: %s", r.err()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(r.err()).doesNotContain("secret").doesNotContain(PW);
    }

    @Test
    void databaseUrlIsUsedWhenPgUriIsAbsent() {
        env.put("DATABASE_URL", "mysql://u:secret@h/db");
        Run r = usageError("backup");
        assertThat(r.errLine()).contains("DATABASE_URL").doesNotContain("secret");
    }

    @Test
    void pgUriBeatsDatabaseUrl() {
        env.put("PG_URI", "http://u:secret@h/db");
        env.put("DATABASE_URL", GOOD_URI);
        Run r = usageError("backup");
        assertThat(r.errLine()).contains("PG_URI").doesNotContain("DATABASE_URL").doesNotContain("secret");
    }

    // ---- every other setting: a bad value is exit 2, before any connection ------------------

    static Stream<Arguments> badSettings() {
        Map<String, String> s3 = Map.of("S3_BUCKET", "my-bucket");
        return Stream.of(
                Arguments.of("S3_PART_SIZE", with(s3, "S3_PART_SIZE", "1MiB"), List.of()),
                Arguments.of("S3_PART_SIZE", with(s3, "S3_PART_SIZE", "lots"), List.of()),
                Arguments.of("--part-size", s3, List.of("--part-size=600MiB")),
                Arguments.of("S3_PART_CONCURRENCY", with(s3, "S3_PART_CONCURRENCY", "0"), List.of()),
                Arguments.of("--part-concurrency", s3, List.of("--part-concurrency=17")),
                Arguments.of("S3_PART_CONCURRENCY", with(s3, "S3_PART_CONCURRENCY", "two"), List.of()),
                // 2 objects x 17 x 512 MiB cannot fit in any test JVM's heap, and the disk is ruled out
                Arguments.of("S3_PART_SIZE", with(with(with(s3, "S3_PART_CONCURRENCY", "16"), "S3_PART_SIZE", "512MiB"),
                        "S3_PART_STAGING", "memory"), List.of()),
                Arguments.of("S3_MAX_PARTS", with(s3, "S3_MAX_PARTS", "0"), List.of()),
                Arguments.of("S3_MAX_PARTS", with(s3, "S3_MAX_PARTS", "10001"), List.of()),
                Arguments.of("S3_PART_STAGING", with(s3, "S3_PART_STAGING", "ram"), List.of()),
                Arguments.of("--max-parts", s3, List.of("--max-parts=0")),
                Arguments.of("--part-staging", s3, List.of("--part-staging=tape")),
                Arguments.of("S3_PATH_STYLE", with(s3, "S3_PATH_STYLE", "maybe"), List.of()),
                Arguments.of("S3_CHECKSUMS", with(s3, "S3_CHECKSUMS", "x"), List.of()),
                Arguments.of("--sql-compression", Map.of(), List.of("--sql-compression=lz4")),
                Arguments.of("SQL_COMPRESSION", Map.of("SQL_COMPRESSION", "lz4"), List.of()),
                Arguments.of("--format", Map.of(), List.of("--format=tar")),
                Arguments.of("BACKUP_FORMAT", Map.of("BACKUP_FORMAT", "tar"), List.of()),
                Arguments.of("AWS_ENDPOINT_URL_S3", with(s3, "AWS_ENDPOINT_URL_S3", "ftp://x"), List.of()),
                Arguments.of("--endpoint", s3, List.of("--endpoint", "not a url")),
                Arguments.of("BACKUP_LABEL", Map.of("BACKUP_LABEL", "nightly\nrm -rf /"), List.of()),
                Arguments.of("--label", Map.of(), List.of("--label", "a\r\nb")),
                Arguments.of("PROGRESS_INTERVAL", Map.of("PROGRESS_INTERVAL", "0"), List.of()),
                Arguments.of("--progress-interval", Map.of(), List.of("--progress-interval=-5")),
                Arguments.of("AWS_ID", with(s3, "AWS_ID", "AKIAEXAMPLE"), List.of()),
                Arguments.of("AWS_ACCESS_KEY_ID", with(s3, "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), List.of()),
                Arguments.of("PG_DUMP_OPTIONS", Map.of("PG_DUMP_OPTIONS", "--format=p"), List.of()),
                Arguments.of("--dump-options", Map.of(), List.of("--dump-options=-f /tmp/x")),
                Arguments.of("COUNT_ROWS", Map.of("COUNT_ROWS", "maybe"), List.of()),
                Arguments.of("S3_BUCKET", Map.of("S3_BUCKET", "Not_A_Bucket!"), List.of()),
                Arguments.of("AWS_REGION", with(s3, "AWS_REGION", "US East"), List.of()),
                Arguments.of("S3_TIMEOUT", with(s3, "S3_TIMEOUT", "soon"), List.of()),
                Arguments.of("S3_TIMEOUT", with(s3, "S3_TIMEOUT", "0"), List.of()),
                Arguments.of("S3_RETRY_FOR", with(s3, "S3_RETRY_FOR", "-1m"), List.of()),
                Arguments.of("--s3-retry-for", s3, List.of("--s3-retry-for=forever")),
                Arguments.of("S3_CONDITIONAL_WRITES", with(s3, "S3_CONDITIONAL_WRITES", "trust-me"), List.of()),
                Arguments.of("AWS_CA_BUNDLE", with(s3, "AWS_CA_BUNDLE", "/no/such/ca.pem"), List.of()),
                Arguments.of("LOCK_TTL", Map.of("LOCK_TTL", "5s"), List.of()),
                Arguments.of("--lock-ttl", Map.of(), List.of("--lock-ttl=zero")),
                Arguments.of("PG_URI", Map.of("PG_URI", GOOD_URI + "?sslmode=bogus"), List.of()),
                Arguments.of("PG_URI", Map.of("PG_URI", GOOD_URI + "'"), List.of()),
                Arguments.of("PG_URI", Map.of("PG_URI", GOOD_URI + "?connect_timeout=later"), List.of()));
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        Map<String, String> m = new HashMap<>(base);
        m.put(k, v);
        return m;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("badSettings")
    void badSettingIsAConfigErrorNamingIt(String name, Map<String, String> extraEnv, List<String> flags) {
        env.put("PG_URI", GOOD_URI);
        env.putAll(extraEnv);
        String[] args = Stream.concat(Stream.of("backup"), flags.stream()).toArray(String[]::new);
        Run r = usageError(args);
        assertThat(r.errLine()).contains(name);
    }

    @Test
    void aCronScheduleThatNeverFiresIsAConfigurationError() {
        env.put("PG_URI", GOOD_URI);
        env.put("BACKUP_CRON", "0 0 30 2 *");
        for (String cmd : List.of("tick", "schedule")) {
            Run r = usageError(cmd);
            assertThat(r.errLine()).contains("BACKUP_CRON").contains("never fires");
        }
        env.put("BACKUP_CRON", "*/5 * * * *");
        Run explain = run("schedule", "--explain");
        assertThat(explain.rc()).isZero();
        assertThat(explain.out()).startsWith("'*/5 * * * *' in UTC, next fire times:").doesNotContain("CronSchedule[");
    }

    @Test
    void s3SecretIsNotEchoedWhenTheIdIsMissing() {
        env.put("PG_URI", GOOD_URI);
        env.put("S3_BUCKET", "my-bucket");
        env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIexampleKEY");
        env.put("AWS_ID", "AKIAEXAMPLE");
        Run r = usageError("backup");
        assertThat(r.errLine()).contains("AWS_ID").doesNotContain("wJalrXUtnFEMIexampleKEY");
    }

    // ---- flags without a value that default to true --------------------------------------------

    @Test
    void countRowsFlagWithoutValueBeatsEnvironment() {
        // `--count-rows` (arity 0..1) means true; a flag wins over the environment, so a bad
        // COUNT_ROWS must not matter: config is valid and the run reaches the database (exit 3).
        env.put("PG_URI", GOOD_URI);
        env.put("COUNT_ROWS", "maybe");
        Run r = run("backup", "--count-rows");
        assertThat(r.rc()).as("stderr: %s", r.err()).isEqualTo(ExitCode.DATABASE.code());
    }

    @Test
    void countRowsFlagWithValueBeatsEnvironment() {
        env.put("PG_URI", GOOD_URI);
        env.put("COUNT_ROWS", "maybe");
        Run r = run("backup", "--count-rows=false");
        assertThat(r.rc()).as("stderr: %s", r.err()).isEqualTo(ExitCode.DATABASE.code());
    }

    // ---- valid config, unreachable database ----------------------------------------------------

    @Test
    void unreachableDatabaseIsExit3AndWritesNothing() throws IOException {
        env.put("PG_URI", GOOD_URI);
        env.put("S3_PREFIX", "prod");
        env.put("PG_DUMP_OPTIONS", "--schema=public -T 'audit log.*' --no-owner");
        env.put("BACKUP_LABEL", "before migration");
        env.put("SQL_COMPRESSION", "gzip");
        Run r = run("backup");
        assertThat(r.rc()).as("stderr: %s", r.err()).isEqualTo(ExitCode.DATABASE.code());
        assertOneLine(r);
        assertThat(r.errLine()).contains("127.0.0.1").doesNotContain(PW).contains("****");
        assertThat(r.out()).isEmpty();
        assertNoObjects();
    }

    @Test
    void unreachableDatabaseFromLibpqVariables() throws IOException {
        env.put("PGHOST", "127.0.0.1");
        env.put("PGPORT", "1");
        env.put("PGDATABASE", "db");
        env.put("PGUSER", "u");
        env.put("PGPASSWORD", PW);
        Run r = run("backup");
        assertThat(r.rc()).as("stderr: %s", r.err()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(r.errLine()).contains("127.0.0.1").doesNotContain(PW);
        assertNoObjects();
    }

    private void assertNoObjects() throws IOException {
        if (Files.exists(backupDir)) {
            try (Stream<Path> files = Files.walk(backupDir)) {
                assertThat(files.filter(Files::isRegularFile).toList()).as("objects in BACKUP_DIR").isEmpty();
            }
        }
    }
}
