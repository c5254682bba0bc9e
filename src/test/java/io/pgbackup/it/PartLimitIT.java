package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Store limits at a scale a test can afford: a store that takes at most {@value #LIMIT} parts per
 * upload (the fault proxy refuses part {@value #LIMIT}+1 as S3 refuses part 10,001, with 400
 * InvalidArgument) meets databases of tens of MB, which then exercise the part sizing, the early
 * failure and the refused part exactly as a database of hundreds of GB meets S3's 10,000.
 */
class PartLimitIT {
    static final int LIMIT = 8;
    /** Part numbers past the limit, in an UploadPart's query string. */
    static final String PAST_LIMIT = "[?&]partNumber=(9|[1-9][0-9]+)(&|$)";
    static PgServer pg;
    static S3Server s3;
    static String bigDb;
    static String toastDb;
    String bucket;
    FaultProxy proxy;
    FaultProxy.Rule limit;
    StoreCheck check;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        bigDb = pg.createDatabase("parts");
        SampleData.big(pg, bigDb, 24); // incompressible: the archive is as big as the data
        // 20 values of 10.8 MB of text that TOAST compresses to almost nothing: the database is
        // small on disk, its plain script is 216 MB. An estimate from the database's size is wrong.
        toastDb = pg.createDatabase("toast");
        pg.exec(toastDb, "create table notes (id int primary key, body text);"
                + "insert into notes select g, repeat('pgbackup ', 1200000) from generate_series(1, 20) g;");
    }

    @BeforeEach
    void storeWithAPartLimit() throws Exception {
        bucket = s3.createBucket("parts");
        proxy = new FaultProxy(s3.endpoint());
        limit = proxy.on("PUT", PAST_LIMIT, new FaultProxy.Status(400, "InvalidArgument"), -1);
        check = new StoreCheck(bucket);
    }

    @AfterEach
    void closeProxy() throws Exception {
        proxy.close();
    }

    Map<String, String> env(String db) {
        Map<String, String> env = BackupIT.env(bucket, db); // S3_PART_SIZE=5MiB
        env.put("AWS_ENDPOINT_URL_S3", proxy.endpoint().toString());
        return env;
    }

    /** The sizes of the UploadPart requests for keys ending in {@code suffix}, in order. */
    List<Long> partSizes(String suffix) {
        Pattern p = Pattern.compile("^PUT \\S*" + Pattern.quote(suffix) + "\\?\\S*partNumber=\\S* \\[(\\d+) bytes\\]");
        return proxy.log().stream().map(p::matcher).filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).toList();
    }

    @Test
    void partsAreSizedSoTheObjectsFitTheStoresLimit() throws Exception {
        Map<String, String> env = env(bigDb);
        env.put("S3_MAX_PARTS", String.valueOf(LIMIT));
        env.put("SQL_COMPRESSION", "none"); // the script is hex text: twice the data
        Cli.Result r = Cli.runJar(env, "backup"); // its log lines
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(limit.fired()).as("no part past the store's limit was sent").isZero();
        Manifest m;
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            m = BackupIT.manifest(store, r.out().strip());
        }
        long script = m.objects().stream().filter(o -> o.format().equals("plain")).findFirst().orElseThrow().bytes();
        assertThat(script).as("with the configured 5 MiB parts it would need more than " + LIMIT)
                .isGreaterThan(LIMIT * 5L * 1024 * 1024);
        List<Long> parts = partSizes(".sql");
        assertThat(parts).as("a multipart upload within the limit: %s", proxy.log()).hasSizeBetween(2, LIMIT);
        assertThat(parts.subList(0, parts.size() - 1)).as("equal parts (R2), all but the last")
                .allSatisfy(n -> assertThat(n).isEqualTo(parts.get(0)));
        assertThat(parts.get(0) % (1024 * 1024)).isZero();
        assertThat(r.err()).contains("uploads: 2 upload(s) at once, parts of up to");
        Cli.Result v = Cli.run(env, "verify", "latest");
        assertThat(v.code()).as(v.all()).isZero();
        check.assertClean();
    }

    @Test
    void aStoreThatRefusesAPartNumberIsExit6NamingS3MaxPartsAndLeavesNothing() throws Exception {
        Map<String, String> env = env(bigDb); // S3_MAX_PARTS unset: 10,000 assumed, parts of 5 MiB
        env.put("SQL_COMPRESSION", "none");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("InvalidArgument").contains("S3_MAX_PARTS 10000")
                .contains("set S3_MAX_PARTS to " + LIMIT + " or less");
        assertThat(limit.fired()).isPositive();
        check.assertUnchanged(Map.of());
        StoreCheck.assertNoSecrets(r);
    }

    @Test
    void anObjectThatOutgrowsItsPartsFailsAsSoonAsThatIsCertainNamingS3PartSize() throws Exception {
        Map<String, String> env = env(toastDb);
        env.put("S3_MAX_PARTS", String.valueOf(LIMIT));
        env.put("SQL_COMPRESSION", "none");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("outgrew its parts").contains("S3_MAX_PARTS " + LIMIT)
                .containsPattern("set S3_PART_SIZE to \\d+MiB or more");
        assertThat(limit.fired()).as("the limit was never reached: we stopped first").isZero();
        List<Long> parts = partSizes(".sql");
        // The last part the store takes is held until it is known to be the last: it never is, so it
        // is never sent. The part before it may be in flight when the failure aborts the upload.
        assertThat(parts).as("only parts before the last the store takes, then the failure")
                .hasSizeBetween(LIMIT - 2, LIMIT - 1);
        assertThat(proxy.log()).as("part %d (the last the store takes) was never sent", LIMIT)
                .noneMatch(l -> l.matches("^PUT \\S*\\.sql\\?\\S*partNumber=" + LIMIT + "(&\\S*)? .*"));
        long sent = parts.stream().mapToLong(Long::longValue).sum();
        assertThat(sent).as("failed with most of the 216 MB script still to come").isLessThan(216_000_000L / 2);
        check.assertUnchanged(Map.of());
        StoreCheck.assertNoSecrets(r);
    }

    @Test
    void partsStagedOnDiskRoundTripAndLeaveNoFile() throws Exception {
        Path tmp = Files.createTempDirectory("staging");
        Map<String, String> env = env(bigDb);
        env.put("S3_PART_STAGING", "disk");
        proxy.clearRules(); // 5 MiB parts, as many as it takes
        env.put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        Cli.Result r = Cli.runJar(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("staged on disk").contains("staging the parts of");
        assertThat(partSizes(".dump").size()).as("a multipart upload from disk").isGreaterThan(1);
        assertThat(stagedFiles(tmp)).as("no staged part outlives the run").isEmpty();
        Cli.Result v = Cli.run(env(bigDb), "verify", "latest");
        assertThat(v.code()).as(v.all()).isZero();
        check.assertClean();
    }

    @Test
    void bigPartsThatDoNotFitTheHeapGoToDiskBeforeTheBackupStarts() throws Exception {
        // 64 MiB parts in a 128 MiB heap: one buffer each for two uploads does not fit (128 + 24 MiB)
        Path tmp = Files.createTempDirectory("staging");
        Map<String, String> env = env(bigDb);
        env.put("S3_PART_SIZE", "64MiB");
        env.put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        Cli.Result r = Cli.runJar(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("parts are staged on disk: up to 128 MiB in TMPDIR");
        assertThat(stagedFiles(tmp)).isEmpty();
        Cli.Result v = Cli.run(env(bigDb), "verify", "latest");
        assertThat(v.code()).as(v.all()).isZero();
    }

    @Test
    void aBackupThatFitsNeitherHeapNorDiskIsExit2BeforeAnyUpload() throws Exception {
        Map<String, String> env = env(bigDb);
        env.put("S3_PART_SIZE", "64MiB");
        env.put("S3_PART_STAGING", "memory");
        Cli.Result r = Cli.runJar(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("-Xmx").contains("S3_PART_STAGING=auto");
        assertThat(proxy.log()).as("nothing was uploaded").noneMatch(l -> l.startsWith("PUT") && l.contains("partNumber"));
        check.assertUnchanged(Map.of());
    }

    static List<Path> stagedFiles(Path tmp) throws Exception {
        try (Stream<Path> all = Files.walk(tmp)) {
            return all.filter(p -> p.getFileName().toString().startsWith("s3-part")).toList();
        }
    }
}
