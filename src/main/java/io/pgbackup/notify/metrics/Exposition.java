package io.pgbackup.notify.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prometheus text exposition format 0.0.4, both ways: writing samples with a {@code # HELP}
 * and a {@code # TYPE} line per metric (no client-side timestamps), and reading such a file back
 * (the node_exporter textfile is merged, not overwritten, so each kind of run keeps the others').
 */
public final class Exposition {
    /** What every pgbackup metric means, and its type. */
    public static final Map<String, String[]> METRICS = new LinkedHashMap<>();

    static {
        def("pgbackup_last_success_timestamp_seconds", "gauge", "Unix time the last backup succeeded");
        def("pgbackup_drill_last_success_timestamp_seconds", "gauge", "Unix time the last restore drill passed");
        def("pgbackup_prune_last_success_timestamp_seconds", "gauge", "Unix time the last prune succeeded");
        def("pgbackup_last_run_timestamp_seconds", "gauge", "Unix time the last run (of its kind) ended");
        def("pgbackup_last_run_exit_code", "gauge", "Exit code of the last run (of its kind); 0 is success");
        def("pgbackup_last_run_duration_seconds", "gauge", "How long the last run (of its kind) took");
        def("pgbackup_backup_stored_bytes", "gauge", "Bytes the last backup stored, by format");
        def("pgbackup_database_bytes", "gauge", "Size of the database at the last backup (pg_database_size)");
        def("pgbackup_backup_rows", "gauge", "Rows the last backup's dump held, counted in the dump stream");
        def("pgbackup_backup_tables", "gauge", "Tables in the last backup");
        def("pgbackup_last_backup_data_timestamp_seconds", "gauge",
                "Unix time the last backup's data is current as of (a standby's replay; else when the backup ended)");
        def("pgbackup_notify_failures_total", "counter", "Notifications (pings, webhooks, pushes) that failed");
    }

    private static void def(String name, String type, String help) {
        METRICS.put(name, new String[] {type, help});
    }

    private Exposition() {}

    public static String write(List<Sample> samples) {
        Map<String, List<Sample>> byName = new TreeMap<>();
        for (Sample s : samples) {
            byName.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(s);
        }
        StringBuilder b = new StringBuilder();
        byName.forEach((name, list) -> {
            String[] def = METRICS.getOrDefault(name, new String[] {"gauge", name});
            b.append("# HELP ").append(name).append(' ').append(def[1]).append('\n');
            b.append("# TYPE ").append(name).append(' ').append(def[0]).append('\n');
            list.stream().sorted(java.util.Comparator.comparing(Sample::series)).forEach(s -> {
                b.append(name);
                if (!s.labels().isEmpty()) {
                    b.append('{');
                    boolean first = true;
                    for (Map.Entry<String, String> l : s.labels().entrySet()) {
                        b.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escape(l.getValue())).append('"');
                        first = false;
                    }
                    b.append('}');
                }
                b.append(' ').append(number(s.value())).append('\n');
            });
        });
        return b.toString();
    }

    /** The samples of a text-format document (comments and unparsable lines skipped). */
    public static List<Sample> read(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                String name = brace > 0 ? line.substring(0, brace) : line.substring(0, line.indexOf(' '));
                Map<String, String> labels = new TreeMap<>();
                if (brace > 0) {
                    String body = line.substring(brace + 1, line.lastIndexOf('}'));
                    int i = 0;
                    while (i < body.length()) {
                        int eq = body.indexOf('=', i);
                        String k = body.substring(i, eq).strip();
                        int q = body.indexOf('"', eq) + 1;
                        StringBuilder v = new StringBuilder();
                        int j = q;
                        while (j < body.length() && body.charAt(j) != '"') {
                            char c = body.charAt(j++);
                            if (c == '\\' && j < body.length()) {
                                char e = body.charAt(j++);
                                v.append(e == 'n' ? '\n' : e);
                            } else {
                                v.append(c);
                            }
                        }
                        labels.put(k, v.toString());
                        i = j + 1;
                        while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) {
                            i++;
                        }
                    }
                }
                out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
            } catch (RuntimeException e) {
                // not a sample line of ours
            }
        }
        return out;
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
