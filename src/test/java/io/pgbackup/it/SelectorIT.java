package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.Selector;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every selector form, as restore/verify/download/drill use it, over fabricated copies of one real
 * backup (objects included, so verify and download succeed on whichever is chosen).
 */
class SelectorIT {
    static PgServer pg;
    static S3Server s3;
    static String source;
    static String bucket;
    static final KeyLayout SEL = new KeyLayout("sel");
    static List<Manifest> all;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        source = pg.createDatabase("selector_src");
        pg.exec(source, "create table t (id int primary key); insert into t select generate_series(1, 10);");
        bucket = s3.createBucket("selectors");
        String real = RestoreFixtures.realBackup(bucket, "src", source);
        KeyLayout src = new KeyLayout("src");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            copy(store, src, real, "2026/11/26/23-59-59", "2026-11-26T23:59:59.300Z", "nightly");
            copy(store, src, real, "2026/11/27/01-00-00", "2026-11-27T01:00:00.200Z", "nightly");
            copy(store, src, real, "2026/11/27/03-00-00", "2026-11-27T03:00:00.100Z", null);
            copy(store, src, real, "2026/11/27/03-00-00-2", "2026-11-27T03:00:00.600Z", null);
            copy(store, src, real, "2026/11/27/03-00-30", "2026-11-27T03:00:30.000Z", "pre-migration");
            copy(store, src, real, "2026/11/27/22-00-00", "2026-11-27T22:00:00.400Z", "nightly");
            copy(store, src, real, "2026/11/28/00-00-00", "2026-11-28T00:00:00.500Z", "weekly");
            all = new Catalog(store, SEL).all();
        }
        assertThat(all).hasSize(7);
    }

    static void copy(S3ObjectStore store, KeyLayout src, String real, String stem, String at, String label)
            throws Exception {
        RestoreFixtures.copy(store, src, real, store, SEL,
                new RestoreFixtures.Copy(stem).at(Instant.parse(at)).label(label).withObjects());
    }

    static Map<String, String> env() {
        return RestoreFixtures.env(bucket, "sel", source);
    }

    /** The stem `verify` picks for these arguments (it prints it). */
    static String verifyPicks(String... args) {
        List<String> a = new ArrayList<>(List.of("verify"));
        a.addAll(List.of(args));
        Cli.Result r = Cli.run(env(), a.toArray(String[]::new));
        assertThat(r.code()).as(r.all()).isZero();
        List<String> picked = r.out().lines().filter(l -> l.startsWith("OK ")).map(l -> l.substring(3).strip()).toList();
        assertThat(picked).as(r.out()).hasSize(1);
        return picked.get(0);
    }

    static String selects(String text, String label) {
        return Selector.parse(text, label, java.time.Clock.systemUTC()).choose(all).stem();
    }

    @Test
    void latest() {
        assertThat(verifyPicks()).isEqualTo("2026/11/28/00-00-00");
        assertThat(verifyPicks("latest")).isEqualTo("2026/11/28/00-00-00");
        assertThat(selects(null, null)).isEqualTo("2026/11/28/00-00-00");
        assertThat(selects("  latest ", null)).isEqualTo("2026/11/28/00-00-00");
    }

    @Test
    void exactStem() {
        assertThat(verifyPicks("2026/11/27/03-00-00")).isEqualTo("2026/11/27/03-00-00");
        assertThat(verifyPicks("2026/11/27/03-00-00-2")).isEqualTo("2026/11/27/03-00-00-2");
        assertThat(selects("2026/11/26/23-59-59", null)).isEqualTo("2026/11/26/23-59-59");
        assertThat(selects("2026/11/26/23-59-59", "nightly")).isEqualTo("2026/11/26/23-59-59");
    }

    @Test
    void dateIsTheLastBackupOfThatUtcDay() {
        assertThat(verifyPicks("2026-11-27")).isEqualTo("2026/11/27/22-00-00");
        assertThat(selects("2026-11-26", null)).isEqualTo("2026/11/26/23-59-59");
        assertThat(selects("2026-11-28", null)).isEqualTo("2026/11/28/00-00-00");
        assertThat(selects("2026-11-27", "pre-migration")).isEqualTo("2026/11/27/03-00-30");
    }

    @Test
    void dateTimeIsTheLastBackupAtOrBefore() {
        assertThat(verifyPicks("2026-11-27T12:00")).isEqualTo("2026/11/27/03-00-30");
        assertThat(selects("2026-11-27T02:59", null)).isEqualTo("2026/11/27/01-00-00");
        assertThat(selects("2026-11-27T03:00:00", null)).isEqualTo("2026/11/27/03-00-00-2");
        assertThat(selects("2026-11-27T03:00:29", null)).isEqualTo("2026/11/27/03-00-00-2");
        assertThat(selects("2026-11-27T03:00:30Z", null)).isEqualTo("2026/11/27/03-00-30");
        assertThat(selects("2026-11-27T23:59", null)).isEqualTo("2026/11/27/22-00-00");
        assertThat(selects("2026-11-27T00:00", null)).isEqualTo("2026/11/26/23-59-59");
        assertThat(selects("2030-01-01T00:00", null)).isEqualTo("2026/11/28/00-00-00");
        assertThat(selects("2026-11-27T12:00", "nightly")).isEqualTo("2026/11/27/01-00-00");
    }

    /**
     * "2026-11-27T03:00" means 03:00 (the 03:00:00 second, as the selector's own comment says); a
     * backup that started at 03:00:30 is after it and must not be chosen.
     */
    @Test
    void dateTimeWithMinutesDoesNotPickABackupLaterInThatMinute() {
        assertThat(verifyPicks("2026-11-27T03:00")).isEqualTo("2026/11/27/03-00-00-2");
        assertThat(selects("2026-11-27T03:00Z", null)).isEqualTo("2026/11/27/03-00-00-2");
    }

    @Test
    void labelAlone() {
        assertThat(verifyPicks("--label", "pre-migration")).isEqualTo("2026/11/27/03-00-30");
        assertThat(verifyPicks("--label", "nightly")).isEqualTo("2026/11/27/22-00-00");
        assertThat(selects("latest", "weekly")).isEqualTo("2026/11/28/00-00-00");
    }

    @Test
    void downloadUsesTheSameSelector() throws Exception {
        Path out = Files.createTempDirectory("pgbackup-dl");
        Cli.Result r = Cli.run(env(), "download", "2026-11-27T03:00:10", "-o", out.toString());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out().lines().toList()).containsExactlyInAnyOrder(out.resolve("03-00-00-2.dump").toString(),
                out.resolve("03-00-00-2.sql.zst").toString(), out.resolve("03-00-00-2.json").toString());
        assertThat(out.resolve("03-00-00-2.dump")).exists();
        Path out2 = Files.createTempDirectory("pgbackup-dl");
        Cli.Result byLabel = Cli.run(env(), "download", "2026-11-27", "--label", "nightly", "-o", out2.toString());
        assertThat(byLabel.code()).as(byLabel.all()).isZero();
        assertThat(out2.resolve("22-00-00.json")).exists();
    }

    /** A second download into the same directory must not die with an internal error or leave .part files. */
    @Test
    void downloadingTwiceIntoTheSameDirectoryIsNotAnInternalError() throws Exception {
        Path out = Files.createTempDirectory("pgbackup-dl-twice");
        Cli.Result first = Cli.run(env(), "download", "2026/11/27/01-00-00", "-o", out.toString());
        assertThat(first.code()).as(first.all()).isZero();
        Cli.Result second = Cli.run(env(), "download", "2026/11/27/01-00-00", "-o", out.toString());
        assertThat(second.code()).as(second.all()).isNotEqualTo(ExitCode.FAILURE.code());
        assertThat(second.err()).doesNotContain("internal error");
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void nothingMatchingExits7AndNamesTheNearestBackups() {
        Cli.Result day = Cli.run(env(), "verify", "2026-11-25");
        assertThat(day.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(day.err()).contains("2026-11-25").contains("nearest").contains("2026/11/26/23-59-59");

        Cli.Result stem = Cli.run(env(), "verify", "2026/11/27/04-00-00");
        assertThat(stem.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(stem.err()).contains("2026/11/27/03-00-30");

        Cli.Result before = Cli.run(env(), "download", "2026-01-01T00:00", "-o",
                System.getProperty("java.io.tmpdir"));
        assertThat(before.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(before.err()).contains("nearest").contains("2026/11/26/23-59-59");

        Cli.Result label = Cli.run(env(), "verify", "--label", "no-such-label");
        assertThat(label.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(label.err()).contains("no-such-label").contains("nearest").contains("2026/11/");

        // "latest" with a label nobody has: the nearest are those nearest the injected clock's now
        Selector latest = Selector.parse("latest", "no-such-label", java.time.Clock.fixed(
                Instant.parse("2026-11-26T20:00:00Z"), java.time.ZoneOffset.UTC));
        assertThatThrownBy(() -> latest.choose(all)).isInstanceOf(PgBackupException.class)
                .hasMessageContaining("nearest: 2026/11/26/23-59-59 [nightly], 2026/11/27/01-00-00 [nightly], 2026/11/27/03-00-00");
        Selector later = Selector.parse("latest", "no-such-label", java.time.Clock.fixed(
                Instant.parse("2026-11-29T00:00:00Z"), java.time.ZoneOffset.UTC));
        assertThatThrownBy(() -> later.choose(all)).hasMessageContaining("nearest: 2026/11/28/00-00-00 [weekly]");

        Cli.Result wrongLabelForDay = Cli.run(env(), "verify", "2026-11-26", "--label", "weekly");
        assertThat(wrongLabelForDay.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(wrongLabelForDay.err()).contains("2026/11/26/23-59-59");

        assertThatThrownBy(() -> selects("2026-11-29", null)).isInstanceOfSatisfying(PgBackupException.class,
                e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND));
    }

    @Test
    void anEmptyStoreIsNotFound() {
        String empty = s3.createBucket("selectors-empty");
        Cli.Result r = Cli.run(RestoreFixtures.env(empty, "sel", source), "verify");
        assertThat(r.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(r.err()).contains("no backups");
    }

    @Test
    void unknownSelectorTextIsAUsageError() {
        for (String bad : List.of("yesterday", "2026-13-45", "2026/11/27", "27.11.2026", "2026-11-27 03:00")) {
            Cli.Result r = Cli.run(env(), "verify", bad);
            assertThat(r.code()).as(bad + ": " + r.err()).isEqualTo(ExitCode.USAGE.code());
            assertThat(r.err()).contains("selector");
        }
        Cli.Result restore = Cli.run(env(), "restore", "yesterday", "--target", pg.uri("postgres"));
        assertThat(restore.code()).isEqualTo(ExitCode.USAGE.code());
        Cli.Result drill = Cli.run(env(), "drill", "yesterday");
        assertThat(drill.code()).isEqualTo(ExitCode.USAGE.code());
    }
}
