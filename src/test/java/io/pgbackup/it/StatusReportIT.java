package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code status} and {@code report} against the real S3 server, and the report rendered by a real
 * browser (Debian's chromium, headless): the DOM holds one point per backup and one failure mark
 * per failed drill; screenshots are kept under target/ for a person to look at.
 */
class StatusReportIT {
    static PgServer pg;
    static S3Server s3;
    static String db;
    static String bucket;
    static Manifest real;
    static final KeyLayout L = new KeyLayout("health");
    static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        db = pg.createDatabase("health_src");
        pg.exec(db, "create table t(id int); insert into t select generate_series(1, 100)");
        bucket = s3.createBucket("health-template");
        String key = RestoreFixtures.realBackup(bucket, "health", db);
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            real = BackupIT.manifest(store, key);
        }
    }

    static Map<String, String> env(String b) {
        Map<String, String> env = RestoreFixtures.env(b, "health", db);
        env.put("BACKUP_CRON", "0 3 * * *");
        return env;
    }

    /** A bucket with {@code n} copies of the real manifest, one per day (or per two hours) back from 03:00 today. */
    static String bucketWith(String hint, int n, Duration every, List<Integer> failedDrills) throws Exception {
        String b = s3.createBucket(hint);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (S3ObjectStore store = BackupIT.store(b)) {
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                puts.add(pool.submit(() -> {
                    Instant t = Instant.parse("2026-11-27T03:00:00Z").minus(every.multipliedBy(k));
                    String stem = KeyLayout.relativeStem(t, 1);
                    Manifest m = new Manifest(new Manifest.Header(1, "pgbackup", "test"),
                            new Manifest.Run(stem, null, "scheduled", t, t, t.plusSeconds(20 + k % 7), 20_000 + (k % 7) * 1000L),
                            real.source(), real.dump(), real.objects(),
                            new Manifest.Counts(real.tables(), real.rows()), null, null);
                    store.put(L.manifestKey(stem), new ByteArrayInputStream(ManifestCodec.encode(m)));
                    if (k < 10) {
                        boolean passed = !failedDrills.contains(k);
                        DrillReport r = new DrillReport(stem, t, "postgresql://x", "scratch", false,
                                t.plusSeconds(3600), 1, 1, 2,
                                List.of(new DrillReport.Check("rows", passed,
                                        passed ? "ok" : "public.t has 99 rows")), passed);
                        store.put(L.drillReportKey(stem, r.startedAt()), new ByteArrayInputStream(ManifestCodec.encode(r)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return b;
    }

    @Test
    void aHealthyStoreIsExit0AndAMissedSlotIsExit13() throws Exception {
        String b = bucketWith("health-ok", 10, Duration.ofDays(1), List.of());
        Cli.Result ok = Cli.run(env(b), CLOCK, new Cancellation(), "status");
        assertThat(ok.code()).as(ok.all()).isZero();
        assertThat(ok.out()).contains("OK    freshness   the slot 2026-11-27T03:00:00Z").contains("last-drill")
                .contains("and passed").endsWith("healthy\n");

        Cli.Result json = Cli.run(env(b), CLOCK, new Cancellation(), "status", "--json");
        JsonNode n = RestoreFixtures.JSON.readTree(json.out());
        assertThat(n.get("healthy").asBoolean()).isTrue();
        assertThat(n.get("checks")).hasSize(6);

        // a day later nothing new came: the slot of the 28th is missed
        Clock later = Clock.fixed(NOW.plus(Duration.ofDays(1)), ZoneOffset.UTC);
        Cli.Result missed = Cli.run(env(b), later, new Cancellation(), "status");
        assertThat(missed.code()).as(missed.all()).isEqualTo(ExitCode.UNHEALTHY.code());
        assertThat(missed.out()).contains("FAIL  freshness   no backup since the slot 2026-11-28T03:00:00Z");
        assertThat(missed.err().strip()).startsWith("pgbackup: error: unhealthy: freshness").doesNotContain("\n");

        // without a schedule, the age limit decides
        Map<String, String> noCron = env(b);
        noCron.remove("BACKUP_CRON");
        assertThat(Cli.run(noCron, later, new Cancellation(), "status", "--max-age", "48h").code()).isZero();
        assertThat(Cli.run(noCron, later, new Cancellation(), "status", "--max-age", "12h").code())
                .isEqualTo(ExitCode.UNHEALTHY.code());
    }

    @Test
    void aFailedDrillDebrisAndWarningsUnderStrict() throws Exception {
        String b = bucketWith("health-drill", 10, Duration.ofDays(1), List.of(0));
        Cli.Result r = Cli.run(env(b), CLOCK, new Cancellation(), "status");
        assertThat(r.code()).isEqualTo(ExitCode.UNHEALTHY.code());
        assertThat(r.out()).contains("FAIL  last-drill").contains("public.t has 99 rows");

        String d = bucketWith("health-debris", 10, Duration.ofDays(1), List.of());
        try (S3ObjectStore store = BackupIT.store(d)) {
            store.put(L.markerKey("2026/11/27/09-00-00"), new ByteArrayInputStream("{}".getBytes()));
            store.put(L.archiveKey("2026/11/27/09-00-00", null, false), new ByteArrayInputStream(new byte[1000]));
        }
        Cli.Result warn = Cli.run(env(d), CLOCK, new Cancellation(), "status");
        assertThat(warn.code()).as(warn.all()).isZero();
        assertThat(warn.out()).contains("WARN  debris      1 interrupted backup(s) in the last day (2026/11/27/09-00-00)")
                .contains("healthy (1 warning(s))");
        Cli.Result strict = Cli.run(env(d), CLOCK, new Cancellation(), "status", "--strict");
        assertThat(strict.code()).isEqualTo(ExitCode.UNHEALTHY.code());
    }

    @Test
    void badThresholdsAreConfigurationErrors() {
        assertThat(Cli.run(env("x"), "status", "--max-shrink", "150%").code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(Cli.run(env("x"), "status", "--grace", "soon").code()).isEqualTo(ExitCode.USAGE.code());
        Cli.Result r = Cli.run(env("x"), "report");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("--output");
    }

    // ---- the report in a real browser ------------------------------------------------------------

    static Path chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) {
                return Path.of(c);
            }
        }
        Assumptions.abort("no chromium (apt-get install -y chromium)");
        return null;
    }

    /** Runs headless chromium on {@code page} with {@code args}; returns its stdout. */
    static String chromium(Path page, String... args) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        cmd.add(page.toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return out;
    }

    static int count(String dom, String regex) {
        Matcher m = Pattern.compile(regex).matcher(dom);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Renders {@code bucket}'s report with the CLI, then in the browser: DOM and screenshots. */
    static String renderInBrowser(String b, String name) throws Exception {
        Path out = Path.of("target", "report-" + name + ".html").toAbsolutePath();
        Cli.Result r = Cli.run(env(b), CLOCK, new Cancellation(), "report", "--output", out.toString(), "--upload");
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("health/report.html");
        String dom = chromium(out, "--dump-dom");
        assertThat(dom).contains("<svg id=\"chart-size\"");
        Path phone = Path.of("target", "report-" + name + "-phone.png").toAbsolutePath();
        chromium(out, "--window-size=412,1800", "--screenshot=" + phone);
        Path desktop = Path.of("target", "report-" + name + "-desktop.png").toAbsolutePath();
        chromium(out, "--window-size=1280,1600", "--screenshot=" + desktop);
        assertThat(Files.size(phone)).as(phone + " written").isGreaterThan(10_000);
        assertThat(Files.size(desktop)).as(desktop + " written").isGreaterThan(10_000);
        return dom;
    }

    static String sizeChart(String dom) {
        int start = dom.indexOf("<svg id=\"chart-size\"");
        return dom.substring(start, dom.indexOf("</svg>", start));
    }

    @Test
    void reportsOfNoneOneAndAThousandBackupsRenderInABrowser() throws Exception {
        String empty = s3.createBucket("report-empty");
        String dom0 = renderInBrowser(empty, "0");
        assertThat(count(sizeChart(dom0), "<circle class=\"backup\"")).isZero();
        assertThat(dom0).contains("Unhealthy").contains("No backup in this window.");

        String one = bucketWith("report-one", 1, Duration.ofDays(1), List.of());
        String dom1 = renderInBrowser(one, "1");
        assertThat(count(sizeChart(dom1), "<circle class=\"backup\"")).isEqualTo(1);
        assertThat(count(dom1, "class=\"drill pass\"")).isEqualTo(1);

        // a thousand, one every two hours (83 days), drills on the ten newest, three of them failed
        String many = bucketWith("report-many", 1000, Duration.ofHours(2), List.of(0, 4, 7));
        String dom = renderInBrowser(many, "1000");
        assertThat(count(sizeChart(dom), "<circle class=\"backup\"")).isEqualTo(1000);
        assertThat(count(dom, "class=\"drill fail\"")).isEqualTo(3);
        assertThat(count(dom, "class=\"drill pass\"")).isEqualTo(7);
        assertThat(dom).contains("Unhealthy"); // the last drill failed
        try (S3ObjectStore store = BackupIT.store(many)) {
            var info = store.client().headObject(h -> h.bucket(many).key("health/report.html"));
            assertThat(info.contentType()).startsWith("text/html");
        }
    }
}
