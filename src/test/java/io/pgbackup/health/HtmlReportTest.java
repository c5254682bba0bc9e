package io.pgbackup.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.schedule.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The status page as text: self-contained, escaped, and drawing one point per backup. */
class HtmlReportTest {
    static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    static final CronSchedule DAILY = CronSchedule.parse("0 3 * * *", ZoneOffset.UTC);

    static Manifest backup(Instant t, String label) {
        String stem = KeyLayout.relativeStem(t, 1);
        return new Manifest(new Manifest.Header(1, "pgbackup", "test"),
                new Manifest.Run(stem, label, "scheduled", t, t, t.plusSeconds(20), 20_000),
                new Manifest.Source("app", "postgresql://u:****@h/app", "17.2", 17, 1_000_000_000L),
                        new Manifest.Dump("17.2", "zstd:1", List.of()),
                                List.of(new Manifest.StoredObject("p/" + stem + ".dump", "custom", "zstd:1",
                                        100_000_000, "x"),
                        new Manifest.StoredObject("p/" + stem + ".sql.zst", "plain", "zstd", 90_000_000, "y")),
                new Manifest.Counts(List.of(new Manifest.Table("public", "t", 10, 10L, null)),
                        new Manifest.Rows("dump-stream", 10, 0)), null, null);
    }

    static DrillReport drill(Manifest m, boolean passed) {
        return new DrillReport(m.stem(), m.startedAt(), "postgresql://u:****@h/postgres", "scratch", false,
                m.startedAt().plusSeconds(3600), 1, 1, 2,
                List.of(new DrillReport.Check("rows", passed, passed ? "ok" : "public.t has 9 rows")), passed);
    }

    static String render(List<Manifest> backups, List<DrillReport> drills) {
        Status status = new Status(NOW, Verdict.OK, true, List.of(new Status.Check("freshness", Verdict.OK, "fine <ok>")));
        return HtmlReport.render(new HtmlReport.Page("pgbackup: s3://b/p", status, backups, drills, DAILY,
                Duration.ofHours(1), NOW.minus(Duration.ofDays(90)), NOW, "0.4.0"));
    }

    static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void onePointPerBackupAndAMarkPerDrillAndPerMissedSlot() {
        List<Manifest> backups = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            if (i != 5 && i != 6) { // two missed days
                backups.add(backup(Instant.parse("2026-11-27T03:00:00Z").minus(Duration.ofDays(i)), null));
            }
        }
        List<DrillReport> drills = List.of(drill(backups.get(0), true), drill(backups.get(1), false),
                drill(backups.get(2), false));
        String html = render(backups, drills);
        String size = html.substring(html.indexOf("<svg id=\"chart-size\""), html.indexOf("</svg>",
                html.indexOf("chart-size")));
        assertThat(count(size, "<circle class=\"backup\"")).isEqualTo(28);
        assertThat(count(html, "class=\"drill fail\"")).isEqualTo(2);
        assertThat(count(html, "class=\"drill pass\"")).isEqualTo(1);
        // 30 daily slots from the oldest backup on, 28 served: the two missed days are gaps
        assertThat(count(size, "<rect class=\"gap\"")).isEqualTo(2);
        assertThat(html).contains("<td>2026/11/27/03-00-00</td>").contains("span class=\"fail\">failed");
    }

    @Test
    void theFileIsSelfContainedAndEscapesWhatItShows() {
        String html = render(List.of(backup(Instant.parse("2026-11-27T03:00:00Z"), "<script>alert(1)</script>")), List.of());
        assertThat(html).startsWith("<!doctype html>").contains("name=\"viewport\"").contains("<style>")
                .doesNotContain("<script").doesNotContain("src=").doesNotContain("<link").doesNotContain("@import")
                .doesNotContain("url(").contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("fine &lt;ok&gt;");
        assertThat(html.replaceAll("xmlns=\"[^\"]*\"", "")).doesNotContain("http://").doesNotContain("https://");
    }

    @Test
    void anEmptyStoreStillRenders() {
        String html = render(List.of(), List.of());
        assertThat(html).contains("No backup in this window.").contains("Restore drills: 0 run, 0 failed")
                .contains("</html>");
        assertThat(count(html, "<circle class=\"backup\"")).isZero();
    }

    @Test
    void aThousandBackupsRenderWithTheTableCapped() {
        List<Manifest> backups = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            backups.add(backup(NOW.minus(Duration.ofMinutes(120L * i + 1)), null));
        }
        String html = render(backups, List.of());
        String size = html.substring(html.indexOf("<svg id=\"chart-size\""), html.indexOf("</svg>",
                html.indexOf("chart-size")));
        assertThat(count(size, "<circle class=\"backup\"")).isEqualTo(1000);
        assertThat(count(html, "<tr><td>\\d{4}/")).isEqualTo(HtmlReport.TABLE_ROWS);
        assertThat(html).contains("900 older backups not listed.");
        assertThat(html.length()).as("a page a phone can load").isLessThan(1_500_000);
    }
}
