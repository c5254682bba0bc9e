package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.backup.drill.DrillRequest;
import io.pgbackup.backup.drill.DrillService;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.PgTools;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exact row counts from the dump stream, on a database whose planner statistics are deliberately
 * wrong: bulk inserts and deletes without ANALYZE and with autovacuum off, partitions, inheritance,
 * text that looks like COPY syntax, empty tables, bytea, large objects, a table whose data is
 * excluded. Drills of such a database pass; a restored copy that lost a row fails, naming the table.
 */
class ExactRowCountIT {
    static PgServer pg;
    static S3Server s3;
    static String db;
    static String bucket;
    static final KeyLayout L = new KeyLayout("exact");
    static Manifest both;
    static Manifest customOnly;

    static final String SCHEMA = String.join("\n",
            // stale statistics: analyzed when it had 10,000 rows, now 10
            "create table stale (id int, v text) with (autovacuum_enabled = false);",
            "insert into stale select g, 'x' from generate_series(1, 10000) g;",
            "analyze stale;",
            "delete from stale where id > 10;",
            // never analyzed, then filled: the estimate knows nothing
            "create table unanalyzed (id int) with (autovacuum_enabled = false);",
            "insert into unanalyzed select generate_series(1, 1011);",
            // many small tables with wrong estimates, as in the report that filed this
            "do $$ begin for i in 1..15 loop execute format('create table small_%s (id int) with (autovacuum_enabled = "
                    + "false); insert into small_%s select generate_series(1, 3); analyze small_%s; insert into small_%s "
                    + "select generate_series(1, %s);', i, i, i, i, 40 + i); end loop; end $$;",
            // partitions (the parent holds no rows of its own)
            "create table measurements (id int, at date not null) partition by range (at);",
            "create table measurements_2026 partition of measurements for values from ('2026-01-01') to ('2027-01-01');",
            "create table measurements_2027 partition of measurements for values from ('2027-01-01') to ('2028-01-01');",
            "insert into measurements select g, date '2026-06-01' + g from generate_series(1, 400) g;",
            // inheritance: the parent's own rows, and its child's
            "create table animals (name text);",
            "create table dogs (breed text) inherits (animals);",
            "insert into animals values ('generic 1'), ('generic 2');",
            "insert into dogs values ('rex', 'collie'), ('fido', 'pug'), ('bella', 'lab');",
            // text that looks like COPY syntax, and bytea
            "create table tricky (id int, t text, b bytea);",
            "insert into tricky values (1, E'two\\nlines', '\\x00'), (2, E'tab\\there', '\\x0a0a'),"
                    + " (3, E'back\\\\slash', null), (4, E'\\\\.', ''), (5, E'\\\\.\\n\\\\.', '\\x5c2e'), (6, '', null),"
                    + " (7, null, decode(repeat('0a', 1000), 'hex'));",
            "create table empty_one (id int);",
            // large objects, one of them empty
            "select lo_from_bytea(0, 'payload'::bytea);",
            "select lo_from_bytea(0, ''::bytea);",
            // data excluded from the dump
            "create table audit (msg text);",
            "insert into audit select 'event ' || g from generate_series(1, 500) g;");

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        db = pg.createDatabase("exact_rows");
        pg.exec(db, SCHEMA);
        bucket = s3.createBucket("exact");
        Map<String, String> env = env();
        Cli.Result b = Cli.run(env, "backup", "--dump-options", "--exclude-table-data=public.audit");
        assertThat(b.code()).as(b.err()).isZero();
        Cli.Result c = Cli.run(env, "backup", "--format", "custom", "--dump-options", "--exclude-table-data=public.audit");
        assertThat(c.code()).as(c.err()).isZero();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            both = BackupIT.manifest(store, b.out().strip());
            customOnly = BackupIT.manifest(store, c.out().strip());
        }
    }

    static Map<String, String> env() {
        return RestoreFixtures.env(bucket, "exact", db);
    }

    static Manifest.Table table(Manifest m, String name) {
        return m.tables().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no table " + name + " in " + m.tables()));
    }

    @Test
    void theManifestCarriesTheExactCountsOfTheDumpStream() {
        for (Manifest m : List.of(both, customOnly)) {
            assertThat(m.exactRowCounts()).isTrue();
            assertThat(m.rows().source()).isEqualTo("dump-stream");
            assertThat(table(m, "stale").rowCount()).isEqualTo(10);
            assertThat(table(m, "stale").rowEstimate()).as("the planner still believes").isEqualTo(10000);
            assertThat(table(m, "unanalyzed").rowCount()).isEqualTo(1011);
            assertThat(table(m, "small_7").rowCount()).isEqualTo(3 + 47);
            assertThat(table(m, "measurements_2026").rowCount()).isEqualTo(213);
            assertThat(table(m, "measurements_2027").rowCount()).isEqualTo(187);
            assertThat(table(m, "measurements").rowCount()).isNull();
            assertThat(table(m, "measurements").data()).isEqualTo("partitioned");
            assertThat(table(m, "animals").rowCount()).as("its own rows, not its children's").isEqualTo(2);
            assertThat(table(m, "dogs").rowCount()).isEqualTo(3);
            assertThat(table(m, "tricky").rowCount()).isEqualTo(7);
            assertThat(table(m, "empty_one").rowCount()).isZero();
            assertThat(table(m, "audit").rowCount()).as("excluded data is not 0 rows").isNull();
            assertThat(table(m, "audit").data()).isEqualTo("excluded");
            assertThat(m.rows().largeObjects()).isEqualTo(2);
            assertThat(m.rows().total()).isEqualTo(10 + 1011 + 15 * 3 + (41 + 55) * 15 / 2 + 400 + 2 + 3 + 7);
        }
        assertThat(customOnly.objects()).hasSize(1);
    }

    @Test
    void drillsOfTheStaleStatisticsDatabasePass() throws Exception {
        for (String stem : List.of(both.stem(), customOnly.stem())) {
            Cli.Result r = Cli.run(env(), "drill", stem, "--target", pg.uri("postgres"));
            assertThat(r.code()).as(r.all()).isZero();
            JsonNode report = RestoreFixtures.JSON.readTree(r.out());
            JsonNode rows = DrillIT.check(report, "rows");
            assertThat(rows.get("ok").asBoolean()).isTrue();
            assertThat(rows.get("detail").asText()).contains("tables have exactly the rows counted in the backup")
                    .contains("public.audit (excluded)").contains("public.measurements (partitioned)");
            assertThat(DrillIT.check(report, "large-objects").get("detail").asText()).startsWith("2 large objects");
        }
    }

    @Test
    void aRestoredCopyMissingARowFailsNamingTheTableExpectedAndFound() throws Exception {
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            DrillService service = new DrillService(new ObjectReader(store), L, new PgTools(System.getenv()),
                    Clock.systemUTC(), new Cancellation());
            ConnectionString server = ConnectionString.parse(pg.uri("postgres"), "--target");
            String scratch = DrillService.defaultScratchName(both.stem()) + "_tampered";
            DrillReport report = service.drill(DrillRequest.of(both, server).with(DrillRequest.Options.DEFAULT
                    .scratch(scratch, false).beforeChecks(restored -> {
                        try {
                            pg.exec(restored.database(), "delete from dogs where name = 'rex'; "
                                    + "select lo_unlink(min(oid)) from pg_largeobject_metadata;");
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    })));
            assertThat(report.passed()).isFalse();
            DrillReport.Check rows = report.checks().stream().filter(c -> c.name().equals("rows")).findFirst().orElseThrow();
            assertThat(rows.ok()).isFalse();
            assertThat(rows.detail()).isEqualTo("public.dogs has 2 rows, the backup counted 3");
            DrillReport.Check lo = report.checks().stream().filter(c -> c.name().equals("large-objects")).findFirst()
                    .orElseThrow();
            assertThat(lo.ok()).isFalse();
            assertThat(lo.detail()).isEqualTo("expected 2 large objects, found 1");
            assertThat(RestoreFixtures.databasesLike(pg, scratch)).as("dropped after the failed drill").isEmpty();
        }
    }

    /** A backup of an earlier version: estimates only (stale ones), no exact counts. */
    @Test
    void aBackupWithoutExactCountsDrillsWithEstimatesAsANoteUnlessAToleranceIsGiven() throws Exception {
        String b = s3.createBucket("exact-legacy");
        try (S3ObjectStore from = BackupIT.store(bucket); S3ObjectStore to = BackupIT.store(b)) {
            RestoreFixtures.copy(from, L, L.manifestKey(both.stem()), to, L,
                    new RestoreFixtures.Copy("2026/11/20/03-00-00").withObjects().edit(n -> {
                        n.remove("rows");
                        for (JsonNode t : n.get("tables")) {
                            ((ObjectNode) t).remove("rowCount");
                            ((ObjectNode) t).remove("data");
                        }
                    }));
        }
        Map<String, String> env = RestoreFixtures.env(b, "exact", db);
        Cli.Result r = Cli.run(env, "drill", "--target", pg.uri("postgres"));
        assertThat(r.code()).as(r.all()).isZero();
        JsonNode rows = DrillIT.check(RestoreFixtures.JSON.readTree(r.out()), "rows");
        assertThat(rows.get("ok").asBoolean()).isTrue();
        assertThat(rows.get("detail").asText()).contains("no exact row counts").contains("not checked")
                .contains("public.stale has 10 rows, the planner estimated 10000");

        Cli.Result strict = Cli.run(env, "drill", "--target", pg.uri("postgres"), "--tolerance", "0.1");
        assertThat(strict.code()).as(strict.all()).isEqualTo(ExitCode.CHECK_FAILED.code());
        assertThat(strict.err()).contains("public.stale has 10 rows, the planner estimated 10000");
        assertThat(RestoreFixtures.databasesLike(pg, "pgbackup_drill_20261120")).isEmpty();
    }
}
