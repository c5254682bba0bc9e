package io.pgbackup.backup.drill;

import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drill's verdict on tables and rows, from the manifest and what the restored database holds
 * (pure: the counting is the caller's). A backup that carries exact counts of its dump stream is
 * compared exactly, table by table: any difference fails and names the table, the rows expected
 * and found. Planner estimates never fail a drill: for backups taken before pgbackup counted the
 * stream they are a note, unless a tolerance was asked for explicitly.
 */
final class RowCheck {
    private RowCheck() {}

    /**
     * @param restored   rows found per table ({@code schema.name}); absent: the table does not exist
     * @param tolerance  explicit tolerance for estimates (legacy backups), or null
     * @param largeObjects large objects found, or null when not counted
     */
    static List<DrillReport.Check> checks(Manifest m, Map<String, Long> restored, Double tolerance, Long largeObjects) {
        List<DrillReport.Check> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> withoutData = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int exact = 0;
        for (Manifest.Table t : m.tables()) {
            Long found = restored.get(t.qualified());
            if (found == null) {
                missing.add(t.qualified());
                continue;
            }
            if (t.rowCount() != null) {
                exact++;
                if (found.longValue() != t.rowCount()) {
                    wrong.add(t.qualified() + " has " + found + " rows, the backup counted " + t.rowCount());
                }
            } else if (t.data() != null) {
                withoutData.add(t.qualified() + " (" + t.data() + ")");
            } else if (t.rowEstimate() > 0) {
                double off = Math.abs(found - t.rowEstimate()) / (double) t.rowEstimate();
                String line = String.format(Locale.ROOT, "%s has %d rows, the planner estimated %d (%.0f%% off)",
                        t.qualified(), found, t.rowEstimate(), off * 100);
                if (tolerance != null && off > tolerance) {
                    wrong.add(line);
                } else if (off > 0.1) {
                    notes.add(line);
                }
            }
        }
        out.add(new DrillReport.Check("tables", missing.isEmpty(), missing.isEmpty()
                ? "all " + m.tables().size() + " tables exist" : "missing: " + String.join(", ", missing)));
        String detail;
        if (!wrong.isEmpty()) {
            detail = String.join("; ", wrong);
        } else if (exact > 0) {
            detail = exact + " tables have exactly the rows counted in the backup"
                    + (withoutData.isEmpty() ? "" : "; without data in the backup: " + String.join(", ", withoutData));
        } else {
            detail = "this backup has no exact row counts (taken before pgbackup counted the dump stream): "
                    + (tolerance != null ? "planner estimates within " + Math.round(tolerance * 100) + "%"
                            : "planner estimates noted, not checked" + (notes.isEmpty() ? "" : ": " + String.join("; ", notes)));
        }
        out.add(new DrillReport.Check("rows", wrong.isEmpty(), detail));
        if (m.rows() != null && largeObjects != null) {
            boolean ok = largeObjects == m.rows().largeObjects();
            out.add(new DrillReport.Check("large-objects", ok, ok ? largeObjects + " large objects, as in the backup"
                    : "expected " + m.rows().largeObjects() + " large objects, found " + largeObjects));
        }
        return out;
    }
}
