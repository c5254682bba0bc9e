package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.fs.FsObjectStore;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pgbackup list}: pagination past 1000 keys, filters, JSON, incomplete backups, local directories. */
class ListIT {
    static PgServer pg;
    static S3Server s3;
    static String source;
    /** A bucket with six fabricated backups at chosen times and labels under prefix "f". */
    static String filterBucket;
    static final KeyLayout F = new KeyLayout("f");

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        source = pg.createDatabase("list_src");
        pg.exec(source, "create table t (id int primary key, v text); insert into t select g, 'v' || g from generate_series(1, 50) g;");
        filterBucket = s3.createBucket("list-filters");
        String real = RestoreFixtures.realBackup(filterBucket, "real", source);
        KeyLayout realLayout = new KeyLayout("real");
        try (S3ObjectStore store = BackupIT.store(filterBucket)) {
            ObjectNode m = RestoreFixtures.manifestNode(store, real);
            copy(store, realLayout, m, "2026/11/25/10-00-00", "a");
            copy(store, realLayout, m, "2026/11/26/03-00-00", "nightly");
            copy(store, realLayout, m, "2026/11/26/23-59-59", "nightly");
            copy(store, realLayout, m, "2026/11/27/00-00-00", "weekly");
            copy(store, realLayout, m, "2026/11/27/03-00-00", "nightly");
            copy(store, realLayout, m, "2026/11/28/03-00-00", null);
        }
    }

    static void copy(ObjectStore store, KeyLayout src, ObjectNode m, String stem, String label) throws Exception {
        RestoreFixtures.copy(store, src, m, store, F, new RestoreFixtures.Copy(stem).label(label));
    }

    static Cli.Result list(String... args) {
        Map<String, String> env = RestoreFixtures.env(filterBucket, "f", source);
        List<String> all = new ArrayList<>(List.of("list"));
        all.addAll(List.of(args));
        return Cli.run(env, all.toArray(String[]::new));
    }

    static List<String> stems(Cli.Result r) {
        assertThat(r.code()).as(r.err()).isZero();
        return RestoreFixtures.listedStems(r.out());
    }

    @Test
    void moreThanAThousandBackupsAreAllListedNewestFirst() throws Exception {
        String bucket = s3.createBucket("list-many");
        String realKey = RestoreFixtures.realBackup(bucket, "many", source, "--label", "real");
        KeyLayout many = new KeyLayout("many");
        String realStem = RestoreFixtures.stemOf(many, realKey);
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            ObjectNode m = RestoreFixtures.manifestNode(store, realKey);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> puts = new ArrayList<>();
                for (int i = 0; i < 1005; i++) {
                    Instant t = base.plus(i, ChronoUnit.HOURS);
                    String stem = KeyLayout.relativeStem(t, 1);
                    String label = "copy-" + (i % 3);
                    puts.add(pool.submit(() -> RestoreFixtures.copy(store, many, m, store, many,
                            new RestoreFixtures.Copy(stem).label(label))));
                }
                for (Future<String> f : puts) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(store.list("many/")).hasSizeGreaterThan(1006);
        }
        Map<String, String> env = RestoreFixtures.env(bucket, "many", source);

        Cli.Result text = Cli.run(env, "list");
        assertThat(text.code()).as(text.err()).isZero();
        List<String> stems = RestoreFixtures.listedStems(text.out());
        assertThat(stems).hasSize(1006).doesNotHaveDuplicates();
        assertThat(stems.get(0)).isEqualTo(realStem);
        assertThat(stems.get(1)).isEqualTo(KeyLayout.relativeStem(base.plus(1004, ChronoUnit.HOURS), 1));
        assertThat(stems.get(1005)).isEqualTo(KeyLayout.relativeStem(base, 1));
        assertThat(stems.subList(1, 1006)).isSortedAccordingTo(Comparator.reverseOrder());

        Cli.Result json = Cli.run(env, "list", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode arr = RestoreFixtures.JSON.readTree(json.out());
        assertThat(arr.isArray()).isTrue();
        assertThat(arr.size()).isEqualTo(1006);
        List<Instant> started = new ArrayList<>();
        arr.forEach(n -> started.add(Instant.parse(n.get("startedAt").asText())));
        assertThat(started).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(arr.get(0).get("label").asText()).isEqualTo("real");

        Cli.Result labelled = Cli.run(env, "list", "--label", "copy-1", "--last", "3");
        assertThat(stems(labelled)).containsExactly(
                KeyLayout.relativeStem(base.plus(1003, ChronoUnit.HOURS), 1),
                KeyLayout.relativeStem(base.plus(1000, ChronoUnit.HOURS), 1),
                KeyLayout.relativeStem(base.plus(997, ChronoUnit.HOURS), 1));
        assertThat(stems(Cli.run(env, "list", "--label", "copy-0"))).hasSize(335);
    }

    @Test
    void withoutFiltersEverythingNewestFirst() {
        assertThat(stems(list())).containsExactly("2026/11/28/03-00-00", "2026/11/27/03-00-00", "2026/11/27/00-00-00",
                "2026/11/26/23-59-59", "2026/11/26/03-00-00", "2026/11/25/10-00-00");
        Cli.Result r = list();
        String row = r.out().lines().filter(l -> l.startsWith("2026/11/27/00-00-00")).findFirst().orElseThrow();
        assertThat(row).contains("weekly").contains("adhoc").contains(source);
        String unlabelled = r.out().lines().filter(l -> l.startsWith("2026/11/28/03-00-00")).findFirst().orElseThrow();
        assertThat(unlabelled.split("\\s+")[1]).isEqualTo("-");
    }

    @Test
    void sinceIsInclusiveFromTheGivenInstant() {
        assertThat(stems(list("--since", "2026-11-26"))).containsExactly("2026/11/28/03-00-00", "2026/11/27/03-00-00",
                "2026/11/27/00-00-00", "2026/11/26/23-59-59", "2026/11/26/03-00-00");
        assertThat(stems(list("--since", "2026-11-27T03:00"))).containsExactly("2026/11/28/03-00-00",
                "2026/11/27/03-00-00");
        assertThat(stems(list("--since", "2026-11-29"))).isEmpty();
    }

    @Test
    void untilADateIncludesThatDayAndADateTimeIsExclusive() {
        assertThat(stems(list("--until", "2026-11-26"))).containsExactly("2026/11/26/23-59-59",
                "2026/11/26/03-00-00", "2026/11/25/10-00-00");
        assertThat(stems(list("--until", "2026-11-27T03:00"))).containsExactly("2026/11/27/00-00-00",
                "2026/11/26/23-59-59", "2026/11/26/03-00-00", "2026/11/25/10-00-00");
        assertThat(stems(list("--since", "2026-11-26", "--until", "2026-11-26"))).containsExactly(
                "2026/11/26/23-59-59", "2026/11/26/03-00-00");
    }

    @Test
    void labelAndLastCombine() {
        assertThat(stems(list("--label", "nightly"))).containsExactly("2026/11/27/03-00-00", "2026/11/26/23-59-59",
                "2026/11/26/03-00-00");
        assertThat(stems(list("--label", "nightly", "--last", "2"))).containsExactly("2026/11/27/03-00-00",
                "2026/11/26/23-59-59");
        assertThat(stems(list("--last", "1"))).containsExactly("2026/11/28/03-00-00");
        assertThat(stems(list("--last", "100"))).hasSize(6);
        assertThat(stems(list("--label", "no-such-label"))).isEmpty();
        assertThat(stems(list("--until", "2026-11-27", "--last", "2"))).containsExactly("2026/11/27/03-00-00",
                "2026/11/27/00-00-00");
    }

    @Test
    void jsonIsAnArrayOfManifests() throws Exception {
        Cli.Result r = list("--json", "--label", "nightly");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode arr = RestoreFixtures.JSON.readTree(r.out());
        assertThat(arr.isArray()).isTrue();
        assertThat(RestoreFixtures.jsonStems(r.out())).containsExactly("2026/11/27/03-00-00", "2026/11/26/23-59-59",
                "2026/11/26/03-00-00");
        for (JsonNode m : arr) {
            assertThat(m.get("label").asText()).isEqualTo("nightly");
            assertThat(m.get("formatVersion").asInt()).isEqualTo(1);
            assertThat(m.get("objects").size()).isEqualTo(2);
            assertThat(m.get("objects").get(0).get("key").asText()).startsWith("f/" + m.get("stem").asText() + ".");
            assertThat(m.get("source").get("database").asText()).isEqualTo(source);
        }
        Cli.Result empty = list("--json", "--label", "no-such-label");
        assertThat(empty.code()).as(empty.err()).isZero();
        JsonNode none = RestoreFixtures.JSON.readTree(empty.out());
        assertThat(none.isArray()).isTrue();
        assertThat(none.size()).isZero();
        // the whole document parses as manifests
        io.pgbackup.manifest.Manifest[] ms = RestoreFixtures.JSON.readValue(list("--json").out(),
                io.pgbackup.manifest.Manifest[].class);
        assertThat(ms).hasSize(6);
    }

    @Test
    void badFilterValuesAreUsageErrors() {
        assertThat(list("--last", "0").code()).isEqualTo(ExitCode.USAGE.code());
        Cli.Result since = list("--since", "last-week");
        assertThat(since.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(since.err()).contains("--since");
        assertThat(list("--until", "2026-13-01").code()).isEqualTo(ExitCode.USAGE.code());
    }

    @Test
    void objectsWithoutAManifestAreNotListedButIncompleteShowsThem() throws Exception {
        String bucket = s3.createBucket("list-incomplete");
        String real = RestoreFixtures.realBackup(bucket, "inc", source);
        KeyLayout inc = new KeyLayout("inc");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            RestoreFixtures.put(store, inc.archiveKey("2026/01/02/03-04-05", null, false), new byte[1234]);
            RestoreFixtures.put(store, inc.scriptKey("2026/01/02/03-04-05", null, "zstd", false), new byte[10]);
            RestoreFixtures.put(store, inc.archiveKey("2026/01/03/00-00-00-2", null, false), new byte[7]);
        }
        Map<String, String> env = RestoreFixtures.env(bucket, "inc", source);
        Cli.Result r = Cli.run(env, "list");
        assertThat(RestoreFixtures.listedStems(r.out())).containsExactly(RestoreFixtures.stemOf(inc, real));

        Cli.Result i = Cli.run(env, "list", "--incomplete");
        assertThat(i.code()).as(i.err()).isZero();
        assertThat(RestoreFixtures.listedStems(i.out())).containsExactlyInAnyOrder("2026/01/02/03-04-05",
                "2026/01/03/00-00-00-2");
        String row = i.out().lines().filter(l -> l.startsWith("2026/01/02/03-04-05")).findFirst().orElseThrow();
        assertThat(row).contains("2 object(s)");

        Cli.Result ij = Cli.run(env, "list", "--incomplete", "--json");
        assertThat(ij.code()).as(ij.err()).isZero();
        assertThat(RestoreFixtures.jsonStems(ij.out())).containsExactlyInAnyOrder("2026/01/02/03-04-05",
                "2026/01/03/00-00-00-2");
    }

    @Test
    void localDirectoryStore() throws Exception {
        Path dir = Files.createTempDirectory("pgbackup-list");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", pg.uri(source));
        env.put("BACKUP_DIR", dir.toString());
        Cli.Result a = Cli.run(env, "backup", "--label", "first");
        assertThat(a.code()).as(a.err()).isZero();
        Cli.Result b = Cli.run(env, "backup", "--format", "custom");
        assertThat(b.code()).as(b.err()).isZero();
        Cli.Result c = Cli.run(env, "backup", "--label", "third");
        assertThat(c.code()).as(c.err()).isZero();
        KeyLayout root = new KeyLayout("");
        String sa = RestoreFixtures.stemOf(root, a.out().strip());
        String sb = RestoreFixtures.stemOf(root, b.out().strip());
        String sc = RestoreFixtures.stemOf(root, c.out().strip());
        // an interrupted backup's leftovers in the directory
        try (FsObjectStore store = new FsObjectStore(dir)) {
            RestoreFixtures.put(store, "2020/01/01/00-00-00.dump", new byte[3]);
        }

        Cli.Result r = Cli.run(env, "list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(RestoreFixtures.listedStems(r.out())).containsExactly(sc, sb, sa);
        assertThat(RestoreFixtures.jsonStems(Cli.run(env, "list", "--json").out())).containsExactly(sc, sb, sa);
        assertThat(stems(Cli.run(env, "list", "--label", "first"))).containsExactly(sa);
        assertThat(stems(Cli.run(env, "list", "--last", "2"))).containsExactly(sc, sb);
        String customOnly = r.out().lines().filter(l -> l.startsWith(sb + " ")).findFirst().orElseThrow();
        assertThat(customOnly.split("\\s+")).contains("-");
        assertThat(stems(Cli.run(env, "list", "--incomplete"))).containsExactly("2020/01/01/00-00-00");
    }
}
