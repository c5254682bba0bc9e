package io.pgbackup.health;

import io.pgbackup.Bytes;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.schedule.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The status page: one self-contained HTML file (no scripts, fonts, stylesheets or images from
 * anywhere; charts are inline SVG) that reads on a phone. At the top the status verdict; then,
 * over the window, stored size per format and the database size, duration, total rows, drill
 * results as pass/fail marks and the scheduled slots that have no backup; then the recent backups.
 *
 * <p>Points and marks carry classes ({@code backup}, {@code drill pass}, {@code drill fail},
 * {@code gap}) and {@code data-stem} attributes, so a browser test can count what is drawn.
 */
public final class HtmlReport {
    // A narrow drawing, so its labels stay readable when a phone scales it down.
    private static final int W = 720;
    private static final int H = 200;
    private static final int LEFT = 76;
    private static final int RIGHT = 12;
    private static final int TOP = 14;
    private static final int BOTTOM = 26;
    /** A schedule firing more often than this over the window is not drawn slot by slot. */
    static final int MAX_SLOTS = 20_000;
    static final int TABLE_ROWS = 100;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** What the page shows; backups and drills newest first, all within [from, now]. */
    public record Page(String title, Status status, List<Manifest> backups, List<DrillReport> drills, CronSchedule schedule,
            Duration grace, Instant from, Instant now, String toolVersion) {}

    private HtmlReport() {}

    public static String render(Page p) {
        List<Manifest> backups = p.backups().stream().filter(m -> !m.startedAt().isBefore(p.from())).toList();
        List<DrillReport> drills = p.drills().stream().filter(d -> !d.startedAt().isBefore(p.from())).toList();
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(p.title())).append("</title><style>").append(CSS).append("</style></head><body>\n")
                .append("<h1>").append(esc(p.title())).append("</h1>\n");
        verdict(b, p.status());
        long days = Math.max(1, Duration.between(p.from(), p.now()).toDays());
        b.append("<h2>The last ").append(days).append(" days</h2>\n");
        if (backups.isEmpty()) {
            b.append("<p class=\"empty\">No backup in this window.</p>\n");
        }
        Axis x = new Axis(p.from(), p.now());
        List<Instant> gaps = gaps(p, backups);
        sizeChart(b, x, backups, gaps);
        lineChart(b, "chart-duration", "Duration", x, backups, m -> m.durationMillis() / 1000.0, v -> fmt(v) + " s");
        lineChart(b, "chart-rows", "Rows (exact counts)", x,
                backups.stream().filter(Manifest::exactRowCounts).toList(), m -> m.rows().total(), HtmlReport::count);
        drillChart(b, x, drills);
        table(b, backups, p.drills());
        b.append("<footer>Generated ").append(esc(p.now().toString())).append(" by pgbackup ").append(esc(p.toolVersion()))
                .append(" from the store alone.</footer>\n</body></html>\n");
        return b.toString();
    }

    private static void verdict(StringBuilder b, Status s) {
        String cls = !s.healthy() ? "fail" : s.overall() == Verdict.WARN ? "warn" : "ok";
        b.append("<section class=\"verdict ").append(cls).append("\" id=\"verdict\"><p class=\"badge\">")
                .append(s.healthy() ? "Healthy" : "Unhealthy").append("</p><table class=\"checks\">");
        for (Status.Check c : s.checks()) {
            b.append("<tr class=\"").append(c.verdict().name().toLowerCase(Locale.ROOT)).append("\"><td>")
                    .append(c.verdict()).append("</td><th>").append(esc(c.name())).append("</th><td>")
                    .append(esc(c.detail())).append("</td></tr>");
        }
        b.append("</table></section>\n");
    }

    /**
     * Scheduled slots (due longer than the grace ago) with no backup started between them and the
     * next, from the oldest backup of the window on: before it, the job did not exist yet (or prune
     * removed what there was; a slot whose backup prune removed later shows as a gap too).
     */
    static List<Instant> gaps(Page p, List<Manifest> backups) {
        List<Instant> out = new ArrayList<>();
        if (p.schedule() == null || backups.isEmpty()) {
            return out;
        }
        Instant until = p.now().minus(p.grace());
        List<Instant> starts = backups.stream().map(Manifest::startedAt).sorted().toList();
        Instant first = starts.get(0).isAfter(p.from()) ? starts.get(0) : p.from();
        // The slot the oldest backup served is the first one judged.
        Optional<ZonedDateTime> slot = p.schedule().lastAtOrBefore(first).or(() -> p.schedule().nextAfter(first));
        int n = 0;
        while (slot.isPresent() && !slot.get().toInstant().isAfter(until) && n++ < MAX_SLOTS) {
            Instant s = slot.get().toInstant();
            Optional<ZonedDateTime> next = p.schedule().nextAfter(s);
            Instant end = next.map(ZonedDateTime::toInstant).orElse(Instant.MAX);
            boolean served = starts.stream().anyMatch(t -> !t.isBefore(s) && t.isBefore(end));
            if (!served) {
                out.add(s);
            }
            slot = next;
        }
        return out;
    }

    private static void sizeChart(StringBuilder b, Axis x, List<Manifest> backups, List<Instant> gaps) {
        double max = 1;
        for (Manifest m : backups) {
            max = Math.max(max, Math.max(m.source() == null ? 0 : m.source().sizeBytes(), m.totalBytes()));
        }
        Scale y = new Scale(max);
        b.append("<figure><figcaption>Stored size per format, and the database size <span class=\"legend\">")
                .append("<i class=\"custom\"></i>archive <i class=\"plain\"></i>SQL <i class=\"db\"></i>database ")
                .append("<i class=\"gapkey\"></i>slot without a backup</span></figcaption>");
        open(b, "chart-size", x, y, Bytes::format);
        for (Instant g : gaps) {
            b.append("<rect class=\"gap\" x=\"").append(fmt(x.at(g) - 2)).append("\" y=\"").append(TOP)
                    .append("\" width=\"4\" height=\"").append(H - TOP - BOTTOM).append("\"><title>no backup for the slot ")
                    .append(esc(g.toString())).append("</title></rect>");
        }
        series(b, "db", x, y, backups, m -> m.source() == null ? 0 : m.source().sizeBytes(), false);
        series(b, "custom", x, y, backups, m -> m.object("custom").map(Manifest.StoredObject::bytes).orElse(0L), false);
        series(b, "plain", x, y, backups, m -> m.object("plain").map(Manifest.StoredObject::bytes).orElse(0L), false);
        // One point per backup (its total stored size), with the details on hover.
        for (Manifest m : backups) {
            b.append("<circle class=\"backup\" data-stem=\"").append(esc(m.stem())).append("\" cx=\"")
                    .append(fmt(x.at(m.startedAt()))).append("\" cy=\"").append(fmt(y.at(m.totalBytes())))
                    .append("\" r=\"3\"><title>").append(esc(m.stem())).append(": ").append(Bytes.format(m.totalBytes()))
                    .append(" stored</title></circle>");
        }
        b.append("</svg></figure>\n");
    }

    private static void lineChart(StringBuilder b, String id, String title, Axis x, List<Manifest> backups,
            ToDoubleFunction<Manifest> value, java.util.function.Function<Double, String> label) {
        double max = 1;
        for (Manifest m : backups) {
            max = Math.max(max, value.applyAsDouble(m));
        }
        Scale y = new Scale(max);
        b.append("<figure><figcaption>").append(esc(title)).append("</figcaption>");
        open(b, id, x, y, v -> label.apply((double) v));
        series(b, "value", x, y, backups, value, true);
        b.append("</svg></figure>\n");
    }

    private static void drillChart(StringBuilder b, Axis x, List<DrillReport> drills) {
        long failed = drills.stream().filter(d -> !d.passed()).count();
        b.append("<figure><figcaption>Restore drills: ").append(drills.size()).append(" run, ").append(failed)
                .append(" failed <span class=\"legend\"><i class=\"pass\"></i>passed <i class=\"fail\"></i>failed</span>")
                .append("</figcaption><svg id=\"chart-drills\" viewBox=\"0 0 ").append(W).append(" 60\" role=\"img\" ")
                .append("aria-label=\"restore drills\"><line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"30\" x2=\"")
                .append(W - RIGHT).append("\" y2=\"30\"/>");
        for (DrillReport d : drills) {
            double cx = x.at(d.startedAt());
            String tip = esc(d.backup()) + " drilled " + esc(d.startedAt().toString()) + (d.passed() ? ": passed" : ": FAILED");
            if (d.passed()) {
                b.append("<circle class=\"drill pass\" data-stem=\"").append(esc(d.backup())).append("\" cx=\"")
                        .append(fmt(cx)).append("\" cy=\"30\" r=\"6\"><title>").append(tip).append("</title></circle>");
            } else {
                b.append("<path class=\"drill fail\" data-stem=\"").append(esc(d.backup())).append("\" d=\"M")
                        .append(fmt(cx - 6)).append(" 24 L").append(fmt(cx + 6)).append(" 36 M").append(fmt(cx + 6))
                        .append(" 24 L").append(fmt(cx - 6)).append(" 36\"><title>").append(tip).append("</title></path>");
            }
        }
        ticks(b, x, 55);
        b.append("</svg></figure>\n");
    }

    private static void table(StringBuilder b, List<Manifest> backups, List<DrillReport> drills) {
        b.append("<h2>Recent backups</h2>\n<div class=\"scroll\"><table class=\"backups\"><thead><tr><th>Stem</th>")
                .append("<th>Label</th><th>Trigger</th><th>Archive</th><th>SQL</th><th>Duration</th><th>Drill</th>")
                .append("</tr></thead><tbody>");
        for (Manifest m : backups.subList(0, Math.min(TABLE_ROWS, backups.size()))) {
            Optional<DrillReport> d = drills.stream().filter(r -> r.backup().equals(m.stem())).findFirst();
            b.append("<tr><td>").append(esc(m.stem())).append(standby(m)).append("</td><td>")
                    .append(esc(m.label() == null ? "" : m.label()))
                    .append("</td><td>").append(esc(m.trigger())).append("</td><td>")
                    .append(m.object("custom").map(o -> Bytes.format(o.bytes())).orElse("-")).append("</td><td>")
                    .append(m.object("plain").map(o -> Bytes.format(o.bytes())).orElse("-")).append("</td><td>")
                    .append(fmt(m.durationMillis() / 1000.0)).append(" s</td><td>")
                    .append(d.map(r -> r.passed() ? "<span class=\"pass\">passed</span>" : "<span class=\"fail\">failed</span>")
                            .orElse("")).append("</td></tr>");
        }
        b.append("</tbody></table></div>\n");
        if (backups.size() > TABLE_ROWS) {
            b.append("<p class=\"more\">").append(backups.size() - TABLE_ROWS).append(" older backups not listed.</p>\n");
        }
    }

    /** Under a standby's backup, the time its data is as of (it is not the stem's). */
    private static String standby(Manifest m) {
        Manifest.Standby s = m.source() == null ? null : m.source().standby();
        if (s == null) {
            return "";
        }
        return "<br><small class=\"standby\">standby" + (s.dataAsOf() == null ? "" : ", data as of "
                + esc(s.dataAsOf().toString())) + "</small>";
    }

    private static void open(StringBuilder b, String id, Axis x, Scale y, java.util.function.LongFunction<String> label) {
        b.append("<svg id=\"").append(id).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\"><line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM)
                .append("\" x2=\"").append(W - RIGHT).append("\" y2=\"").append(H - BOTTOM).append("\"/>")
                .append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
                .append(LEFT).append("\" y2=\"").append(H - BOTTOM).append("\"/>")
                .append("<text class=\"ylabel\" x=\"").append(LEFT - 6).append("\" y=\"").append(TOP + 4).append("\">")
                .append(esc(label.apply((long) y.max))).append("</text><text class=\"ylabel\" x=\"").append(LEFT - 6)
                .append("\" y=\"").append(H - BOTTOM).append("\">0</text>");
        ticks(b, x, H - 8);
    }

    private static void ticks(StringBuilder b, Axis x, int y) {
        long days = Math.max(1, Duration.between(x.from, x.to).toDays());
        int n = 6;
        for (int i = 0; i <= n; i++) {
            Instant t = x.from.plus(Duration.ofSeconds(Duration.between(x.from, x.to).toSeconds() * i / n));
            String anchor = i == 0 ? " start" : i == n ? " end" : "";
            b.append("<text class=\"xlabel").append(anchor).append("\" x=\"").append(fmt(x.at(t))).append("\" y=\"").append(y)
                    .append("\">")
                    .append(days > 2 ? DAY.format(t) : t.toString().substring(11, 16)).append("</text>");
        }
    }

    private static void series(StringBuilder b, String cls, Axis x, Scale y, List<Manifest> backups,
            ToDoubleFunction<Manifest> value, boolean dots) {
        if (backups.isEmpty()) {
            return;
        }
        StringBuilder pts = new StringBuilder();
        for (int i = backups.size() - 1; i >= 0; i--) { // oldest first, left to right
            Manifest m = backups.get(i);
            pts.append(fmt(x.at(m.startedAt()))).append(',').append(fmt(y.at(value.applyAsDouble(m)))).append(' ');
        }
        b.append("<polyline class=\"").append(cls).append("\" points=\"").append(pts.toString().strip()).append("\"/>");
        if (dots) {
            for (Manifest m : backups) {
                b.append("<circle class=\"backup ").append(cls).append("\" data-stem=\"").append(esc(m.stem()))
                        .append("\" cx=\"").append(fmt(x.at(m.startedAt()))).append("\" cy=\"")
                        .append(fmt(y.at(value.applyAsDouble(m)))).append("\" r=\"2.5\"/>");
            }
        }
    }

    /** Time → x. */
    private record Axis(Instant from, Instant to) {
        double at(Instant t) {
            double span = Math.max(1, Duration.between(from, to).toMillis());
            double f = Duration.between(from, t).toMillis() / span;
            return LEFT + Math.max(0, Math.min(1, f)) * (W - LEFT - RIGHT);
        }
    }

    /** Value → y, 0 at the bottom, max (with headroom) at the top. */
    private record Scale(double max) {
        Scale {
            max = max * 1.1;
        }

        double at(double v) {
            return H - BOTTOM - Math.max(0, v) / max * (H - TOP - BOTTOM);
        }
    }

    static String count(double v) {
        long n = (long) v;
        return n >= 1_000_000 ? fmt(n / 1e6) + " M" : n >= 1000 ? fmt(n / 1e3) + " k" : String.valueOf(n);
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = String.join("",
            ":root{color-scheme:light;--ok:#1a7f37;--warn:#9a6700;--fail:#cf222e;--ink:#1f2328;--muted:#656d76;",
            "--custom:#0969da;--plain:#8250df;--db:#8c959f}",
            "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);margin:0 auto;",
            "max-width:960px;padding:12px}",
            "h1{font-size:1.3em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .4em}",
            ".verdict{border-radius:8px;padding:10px 12px;border:2px solid}.verdict.ok{border-color:var(--ok)}",
            ".verdict.warn{border-color:var(--warn)}.verdict.fail{border-color:var(--fail)}",
            ".badge{font-size:1.4em;font-weight:700;margin:0 0 .4em}.ok .badge{color:var(--ok)}",
            ".warn .badge{color:var(--warn)}.fail .badge{color:var(--fail)}",
            "table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:3px 6px}",
            ".checks td:first-child{font-weight:700;width:3.5em}.checks tr.ok td:first-child{color:var(--ok)}",
            ".checks tr.warn td:first-child{color:var(--warn)}.checks tr.fail td:first-child{color:var(--fail)}",
            ".checks th{width:6.5em;white-space:nowrap}",
            "figure{margin:.8em 0}figcaption{font-weight:600;margin-bottom:2px}",
            "svg{width:100%;height:auto;display:block;background:#f6f8fa;border-radius:6px}",
            ".axis{stroke:#d0d7de}.xlabel{font-size:14px;fill:var(--muted);text-anchor:middle}",
            ".xlabel.start{text-anchor:start}.xlabel.end{text-anchor:end}",
            ".ylabel{font-size:14px;fill:var(--muted);text-anchor:end}",
            "polyline{fill:none;stroke-width:1.6}polyline.custom{stroke:var(--custom)}polyline.plain{stroke:var(--plain)}",
            "polyline.db{stroke:var(--db);stroke-dasharray:4 3}polyline.value{stroke:var(--custom)}",
            "circle.backup{fill:var(--ink)}circle.backup.value{fill:var(--custom)}",
            ".gap{fill:var(--fail);opacity:.35}.drill.pass{fill:var(--ok)}.drill.fail{stroke:var(--fail);stroke-width:3}",
            ".legend{font-weight:400;color:var(--muted);font-size:.9em}.legend i{display:inline-block;width:10px;",
            "height:10px;margin:0 3px 0 8px;border-radius:2px}.legend .custom{background:var(--custom)}",
            ".legend .plain{background:var(--plain)}.legend .db{background:var(--db)}.legend .gapkey{background:var(--fail);",
            "opacity:.35}.legend .pass{background:var(--ok);border-radius:50%}.legend .fail{background:var(--fail)}",
            ".scroll{overflow-x:auto}.backups{font-size:.9em;white-space:nowrap}.backups tr:nth-child(even){background:#f6f8fa}",
            "span.pass{color:var(--ok)}span.fail{color:var(--fail);font-weight:700}",
            "footer{color:var(--muted);font-size:.85em;margin:2em 0 1em}.empty,.more{color:var(--muted)}",
            "@media (max-width:600px){body{font-size:14px;padding:8px}.checks th{width:auto}}");
}
