package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.ExitCode;
import io.pgbackup.backup.drill.DrillService;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pgbackup drill}: restore into a scratch database, check, report, drop. */
class DrillIT {
    static PgServer pg;
    static S3Server s3;
    static String source;
    static String bucket;
    static final KeyLayout D = new KeyLayout("d");
    static String manifestKey;
    static String stem;
    static final String ITEMS = "\"Sales Ünïcode\".\"Order Items\"";

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        source = pg.createDatabase("drill_src");
        SampleData.awkward(pg, source);
        bucket = s3.createBucket("drill");
        manifestKey = RestoreFixtures.realBackup(bucket, "d", source, "--count-rows");
        stem = RestoreFixtures.stemOf(D, manifestKey);
    }

    static Map<String, String> env(String b) {
        return RestoreFixtures.env(b, "d", source);
    }

    static Cli.Result drill(Map<String, String> env, String... args) {
        List<String> a = new ArrayList<>(List.of("drill"));
        a.addAll(List.of(args));
        return Cli.run(env, a.toArray(String[]::new));
    }

    static JsonNode report(Cli.Result r) throws Exception {
        JsonNode n = RestoreFixtures.JSON.readTree(r.out());
        assertThat(n.isObject()).as(r.out()).isTrue();
        return n;
    }

    static JsonNode check(JsonNode report, String name) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }

    static List<String> scratchDatabases() throws Exception {
        return RestoreFixtures.databasesLike(pg, "pgbackup_drill_");
    }

    static Path sqlFile(String text) throws Exception {
        Path f = Files.createTempFile("drill-checks", ".sql");
        Files.writeString(f, text);
        return f;
    }

    /** A bucket holding a copy of the real backup (objects included) under prefix "d", edited by {@code copy}. */
    static String bucketWithCopy(String hint, RestoreFixtures.Copy copy) throws Exception {
        String b = s3.createBucket(hint);
        try (S3ObjectStore from = BackupIT.store(bucket); S3ObjectStore to = BackupIT.store(b)) {
            RestoreFixtures.copy(from, D, manifestKey, to, D, copy.withObjects());
        }
        return b;
    }

    @Test
    void aGoodBackupPassesReportsAndDropsTheScratchDatabase() throws Exception {
        Cli.Result r = drill(env(bucket), "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isZero();
        JsonNode report = report(r);
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("backup").asText()).isEqualTo(stem);
        assertThat(report.get("scratchDatabase").asText()).isEqualTo(DrillService.defaultScratchName(stem))
                .startsWith("pgbackup_drill_");
        assertThat(report.get("kept").asBoolean()).isFalse();
        assertThat(report.get("target").asText()).doesNotContain(PgServer.PASSWORD)
                .doesNotContain(java.net.URLEncoder.encode(PgServer.PASSWORD, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(check(report, "restore").get("ok").asBoolean()).isTrue();
        assertThat(check(report, "tables").get("ok").asBoolean()).isTrue();
        assertThat(check(report, "rows").get("ok").asBoolean()).isTrue();
        assertThat(check(report, "rows").get("detail").asText()).doesNotStartWith("0 ");
        assertThat(scratchDatabases()).isEmpty();

        // stored next to the backup as <prefix>/<stem>.drill-<time>.json
        Instant started = Instant.parse(report.get("startedAt").asText());
        String expectedKey = D.drillReportPrefix(stem)
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC).format(started) + ".json";
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            List<String> reports = store.list(D.drillReportPrefix(stem)).stream().map(ObjectInfo::key).toList();
            assertThat(reports).contains(expectedKey);
            JsonNode stored = RestoreFixtures.JSON.readTree(RestoreFixtures.read(store, expectedKey));
            assertThat(stored.get("passed").asBoolean()).isTrue();
            assertThat(stored.get("backup").asText()).isEqualTo(stem);
        }
        // a drill report is not a backup
        Cli.Result list = Cli.run(env(bucket), "list");
        assertThat(RestoreFixtures.listedStems(list.out())).containsExactly(stem);
        assertThat(RestoreFixtures.listedStems(Cli.run(env(bucket), "list", "--incomplete").out())).isEmpty();
    }

    @Test
    void theSourceServerIsUsedWithoutATarget() throws Exception {
        Cli.Result r = drill(env(bucket), stem);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(report(r).get("passed").asBoolean()).isTrue();
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void keepLeavesTheScratchDatabase() throws Exception {
        String name = DrillService.defaultScratchName(stem);
        try {
            Cli.Result r = drill(env(bucket), "--keep", "--target", pg.uri("postgres"));
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(report(r).get("kept").asBoolean()).isTrue();
            assertThat(scratchDatabases()).containsExactly(name);
            assertThat(RestoreFixtures.count(pg, name, "select count(*) from " + ITEMS)).isEqualTo(5);
        } finally {
            pg.dropDatabase(name);
        }
        String custom = "my_scratch_" + System.nanoTime();
        try {
            Cli.Result r = drill(env(bucket), "--keep", "--scratch-db", custom, "--target", pg.uri("postgres"));
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(report(r).get("scratchDatabase").asText()).isEqualTo(custom);
            assertThat(RestoreFixtures.databasesLike(pg, custom)).containsExactly(custom);
        } finally {
            pg.dropDatabase(custom);
        }
    }

    @Test
    void checkSqlTrueAndFalseAssertions() throws Exception {
        Path good = sqlFile("select count(*) = 5 from " + ITEMS + ";\nselect exists (select 1 from audit.log);\n");
        Cli.Result ok = drill(env(bucket), "--check-sql", good.toString(), "--target", pg.uri("postgres"));
        assertThat(ok.code()).as(ok.all()).isZero();
        JsonNode okReport = report(ok);
        assertThat(check(okReport, "sql-1").get("ok").asBoolean()).isTrue();
        assertThat(check(okReport, "sql-2").get("ok").asBoolean()).isTrue();

        Path bad = sqlFile("select count(*) = 5 from " + ITEMS + ";\nselect count(*) = 6 from " + ITEMS + ";\n");
        Cli.Result failed = drill(env(bucket), "--check-sql", bad.toString(), "--target", pg.uri("postgres"));
        assertThat(failed.code()).as(failed.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode report = report(failed);
        assertThat(report.get("passed").asBoolean()).isFalse();
        assertThat(check(report, "sql-1").get("ok").asBoolean()).isTrue();
        assertThat(check(report, "sql-2").get("ok").asBoolean()).isFalse();
        assertThat(check(report, "sql-2").get("detail").asText()).contains("count(*) = 6");
        assertThat(failed.err()).contains("sql-2");
        assertThat(scratchDatabases()).isEmpty();

        // from the environment too
        Map<String, String> env = env(bucket);
        env.put("DRILL_CHECK_SQL", bad.toString());
        assertThat(drill(env, "--target", pg.uri("postgres")).code()).isEqualTo(ExitCode.CHECK_FAILED.code());
        assertThat(scratchDatabases()).isEmpty();
    }

    /** Comment lines in a check file document the assertion below them; they must not hide it. */
    @Test
    void checkSqlCommentsDoNotDisableTheAssertionBelowThem() throws Exception {
        Path f = sqlFile("-- the orders are all there\nselect count(*) = 5 from " + ITEMS + ";\n"
                + "-- deliberately false\nselect count(*) = 6 from " + ITEMS + ";\n");
        Cli.Result r = drill(env(bucket), "--check-sql", f.toString(), "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode report = report(r);
        assertThat(check(report, "sql-1").get("ok").asBoolean()).isTrue();
        assertThat(check(report, "sql-2").get("ok").asBoolean()).isFalse();
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void anArchiveWithRowsMissingFailsTheRowCheck() throws Exception {
        // build the tampered archive: the backup restored, two rows deleted, dumped again
        String tmp = "drill_tamper_" + System.nanoTime();
        Cli.Result restored = Cli.run(env(bucket), "restore", "--create", tmp, "--target", pg.uri("postgres"));
        assertThat(restored.code()).as(restored.all()).isZero();
        pg.exec(tmp, "delete from " + ITEMS + " where qty > 3;");
        Path dumpFile = Files.createTempFile("tampered", ".dump");
        HostTools.Run dump = HostTools.run(pg, null, "pg_dump", "--no-password", "-Fc", "-f", dumpFile.toString(),
                "--dbname=" + tmp);
        assertThat(dump.code()).as(dump.err()).isZero();
        pg.dropDatabase(tmp);
        byte[] tampered = Files.readAllBytes(dumpFile);

        String tamperedStem = "2026/11/26/04-00-00";
        String b = bucketWithCopy("drill-tampered", new RestoreFixtures.Copy(tamperedStem).edit(n -> {
            ObjectNode custom = RestoreFixtures.object(n, "custom");
            custom.put("bytes", tampered.length);
            custom.put("sha256", RestoreFixtures.sha256(tampered));
        }));
        try (S3ObjectStore store = BackupIT.store(b)) {
            RestoreFixtures.replace(store, D.archiveKey(tamperedStem, null, false), tampered);
        }
        // the objects match the manifest: verify cannot tell
        Cli.Result verify = Cli.run(env(b), "verify");
        assertThat(verify.code()).as(verify.all()).isZero();

        Cli.Result r = drill(env(b), "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode report = report(r);
        assertThat(report.get("passed").asBoolean()).isFalse();
        assertThat(check(report, "restore").get("ok").asBoolean()).isTrue();
        assertThat(check(report, "tables").get("ok").asBoolean()).isTrue();
        JsonNode rows = check(report, "rows");
        assertThat(rows.get("ok").asBoolean()).isFalse();
        assertThat(rows.get("detail").asText()).contains("Order Items").contains("3 rows").contains("counted 5");
        assertThat(r.err()).contains("rows");
        assertThat(scratchDatabases()).isEmpty();
        try (S3ObjectStore store = BackupIT.store(b)) {
            List<ObjectInfo> reports = store.list(D.drillReportPrefix(tamperedStem));
            assertThat(reports).hasSize(1);
            JsonNode stored = RestoreFixtures.JSON.readTree(RestoreFixtures.read(store, reports.get(0).key()));
            assertThat(stored.get("passed").asBoolean()).isFalse();
        }
    }

    @Test
    void aManifestThatNoLongerMatchesTheDataFails() throws Exception {
        String b = bucketWithCopy("drill-rowcount", new RestoreFixtures.Copy("2026/11/26/05-00-00").edit(n -> {
            for (JsonNode t : n.get("tables")) {
                if (t.get("name").asText().equals("Order Items")) {
                    ((ObjectNode) t).put("rowCount", 6);
                }
            }
        }));
        Cli.Result r = drill(env(b), "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode rows = check(report(r), "rows");
        assertThat(rows.get("ok").asBoolean()).isFalse();
        assertThat(rows.get("detail").asText()).contains("Order Items").contains("5 rows").contains("counted 6");
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void aMissingTableFailsTheTablesCheck() throws Exception {
        String b = bucketWithCopy("drill-table", new RestoreFixtures.Copy("2026/11/26/06-00-00").edit(n -> {
            ObjectNode extra = ((com.fasterxml.jackson.databind.node.ArrayNode) n.get("tables")).addObject();
            extra.put("schema", "public");
            extra.put("name", "ghost");
            extra.put("rowEstimate", 10);
            extra.put("rowCount", 10);
        }));
        Cli.Result r = drill(env(b), "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode tables = check(report(r), "tables");
        assertThat(tables.get("ok").asBoolean()).isFalse();
        assertThat(tables.get("detail").asText()).contains("public.ghost");
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void aBackupThatDoesNotRestoreFails() throws Exception {
        String s = "2026/11/26/07-00-00";
        String b = bucketWithCopy("drill-norestore", new RestoreFixtures.Copy(s));
        try (S3ObjectStore store = BackupIT.store(b)) {
            store.delete(D.archiveKey(s, null, false));
        }
        Cli.Result r = drill(env(b), "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode restore = check(report(r), "restore");
        assertThat(restore.get("ok").asBoolean()).isFalse();
        assertThat(restore.get("detail").asText()).contains(D.archiveKey(s, null, false));
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void maxAgeFailsOnAnOldNewestBackup() throws Exception {
        Instant threeHoursAgo = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String old = KeyLayout.relativeStem(threeHoursAgo, 1);
        String b = bucketWithCopy("drill-maxage", new RestoreFixtures.Copy(old).at(threeHoursAgo)
                .finished(threeHoursAgo.plusSeconds(2)));
        Cli.Result r = drill(env(b), "--max-age", "1m", "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        JsonNode report = report(r);
        JsonNode age = check(report, "max-age");
        assertThat(age.get("ok").asBoolean()).isFalse();
        assertThat(age.get("detail").asText()).contains(old);
        assertThat(check(report, "restore").get("ok").asBoolean()).isTrue();
        assertThat(r.err()).contains("max-age");
        assertThat(scratchDatabases()).isEmpty();

        Cli.Result fresh = drill(env(b), "--max-age", "4h", "--target", pg.uri("postgres"));
        assertThat(fresh.code()).as(fresh.all()).isZero();
        assertThat(check(report(fresh), "max-age").get("ok").asBoolean()).isTrue();

        Map<String, String> env = env(b);
        env.put("DRILL_MAX_AGE", "90m");
        assertThat(drill(env, "--target", pg.uri("postgres")).code()).isEqualTo(ExitCode.CHECK_FAILED.code());
        assertThat(scratchDatabases()).isEmpty();

        assertThat(drill(env(b), "--max-age", "soon", "--target", pg.uri("postgres")).code())
                .isEqualTo(ExitCode.USAGE.code());
    }

    @Test
    void anUnreachableOrRefusingServerIsADatabaseError() {
        Cli.Result down = drill(env(bucket), "--target", "postgresql://app:pw@127.0.0.1:1/postgres");
        assertThat(down.code()).as(down.all()).isEqualTo(ExitCode.DATABASE.code());
        Cli.Result wrongPw = drill(env(bucket), "--target",
                "postgresql://" + PgServer.USER + ":not-the-password@" + pg.host() + ":" + pg.port() + "/postgres");
        assertThat(wrongPw.code()).as(wrongPw.all()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(wrongPw.err()).contains("password authentication failed").doesNotContain("not-the-password");
        assertThat(drill(env(bucket), "yesterday").code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(drill(env(bucket), "2020-01-01").code()).isEqualTo(ExitCode.NOT_FOUND.code());
    }
}
