package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backup, list, verify, restore (streamed, parallel, plain), download, drill, tick and prune
 * against a second S3 implementation (Adobe S3Mock), with objects of several parts, so the
 * differences between stores (part checksums not echoed, listing, 404/412 codes) are exercised
 * by the real commands. S3Mock does not honour racing conditional writes, so these runs opt out
 * of the store probe (S3_CONDITIONAL_WRITES=unsafe-skip), as a user of such a store would.
 */
class S3MockRoundTripIT {
    static PgServer pg;
    static S3MockServer s3;
    static String source;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = S3MockServer.get();
        source = pg.createDatabase("s3mock_src");
        SampleData.awkward(pg, source);
        SampleData.big(pg, source, 12); // ~12 MiB of incompressible data: three parts per object
    }

    static Map<String, String> env(String bucket) {
        Map<String, String> env = Cli.baseEnv();
        env.putAll(s3.env(bucket));
        env.put("PG_URI", pg.uri(source));
        env.put("S3_PREFIX", "mock/db");
        env.put("S3_PART_SIZE", "5MiB");
        env.put("S3_CONDITIONAL_WRITES", "unsafe-skip");
        return env;
    }

    @Test
    void everyCommandWorksAgainstS3Mock() throws Exception {
        String bucket = s3.createBucket("roundtrip");
        Map<String, String> env = env(bucket);
        Cli.Result b = Cli.run(env, "backup");
        assertThat(b.code()).as(b.err()).isZero();
        Cli.Result second = Cli.run(env, "backup", "--label", "second");
        assertThat(second.code()).as(second.err()).isZero();

        Cli.Result list = Cli.run(env, "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(RestoreFixtures.listedStems(list.out())).hasSize(2);

        Cli.Result verify = Cli.run(env, "verify", "--all");
        assertThat(verify.code()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("2 backup(s) verified");

        String expected = HostTools.canonicalDump(pg, source);
        String streamed = pg.createDatabase("s3mock_streamed");
        Cli.Result r1 = Cli.run(env, "restore", "latest", "--target", pg.uri(streamed));
        assertThat(r1.code()).as(r1.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, streamed)).isEqualTo(expected);

        String parallel = pg.createDatabase("s3mock_jobs");
        Cli.Result r2 = Cli.run(env, "restore", "latest", "--jobs", "2", "--target", pg.uri(parallel));
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, parallel)).isEqualTo(expected);

        String plain = pg.createDatabase("s3mock_plain");
        Cli.Result r3 = Cli.run(env, "restore", "latest", "--format", "plain", "--target", pg.uri(plain));
        assertThat(r3.code()).as(r3.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, plain)).isEqualTo(expected);

        Path dir = Files.createTempDirectory("s3mock-download");
        Cli.Result d = Cli.run(env, "download", "latest", "-o", dir.toString());
        assertThat(d.code()).as(d.all()).isZero();
        assertThat(d.out().lines()).hasSize(3);

        Cli.Result drill = Cli.run(env, "drill", "latest", "--target", pg.uri("postgres"));
        assertThat(drill.code()).as(drill.all()).isZero();

        Cli.Result tick = Cli.run(env, "tick", "--cron", "0 0 1 1 *");
        assertThat(tick.code()).as(tick.all()).isZero();
        assertThat(tick.out()).contains("nothing due");

        Cli.Result prune = Cli.run(env, "prune", "--keep-last", "1", "--include-labelled");
        assertThat(prune.code()).as(prune.all()).isZero();
        assertThat(RestoreFixtures.listedStems(Cli.run(env, "list").out())).hasSize(1);
        Cli.Result incomplete = Cli.run(env, "list", "--incomplete");
        assertThat(incomplete.out()).isBlank();
    }

    @Test
    void theStoreProbeIsSkippedOnlyWhenAskedTo() {
        String bucket = s3.createBucket("probe");
        Map<String, String> env = env(bucket);
        env.put("S3_CONDITIONAL_WRITES", "maybe");
        Cli.Result bad = Cli.run(env, "backup");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("S3_CONDITIONAL_WRITES").contains("probe or unsafe-skip");
    }
}
