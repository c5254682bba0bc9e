package io.pgbackup.pg;

import io.pgbackup.PgBackupException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * pg_dump selection options passed through from {@code --dump-options} / {@code PG_DUMP_OPTIONS},
 * validated against an allow-list: anything that would change the archive's format, target or
 * connection is pgbackup's to set and is refused with a message.
 */
public record DumpOptions(List<String> args) {
    /** Long name → whether it takes a value. */
    private static final Map<String, Boolean> ALLOWED = Map.ofEntries(
            Map.entry("schema", true), Map.entry("exclude-schema", true),
            Map.entry("table", true), Map.entry("exclude-table", true),
            Map.entry("exclude-table-data", true), Map.entry("extension", true),
            Map.entry("lock-wait-timeout", true),
            Map.entry("no-owner", false), Map.entry("no-privileges", false), Map.entry("no-acl", false),
            Map.entry("no-comments", false), Map.entry("no-publications", false),
            Map.entry("no-subscriptions", false), Map.entry("no-security-labels", false),
            Map.entry("no-tablespaces", false), Map.entry("no-unlogged-table-data", false),
            Map.entry("no-blobs", false), Map.entry("blobs", false), Map.entry("schema-only", false),
            Map.entry("data-only", false), Map.entry("quote-all-identifiers", false),
            Map.entry("enable-row-security", false), Map.entry("no-sync", false),
            Map.entry("statistics", false), Map.entry("no-statistics", false));
    private static final Map<String, String> SHORT = Map.of(
            "n", "schema", "N", "exclude-schema", "t", "table", "T", "exclude-table", "e", "extension",
            "O", "no-owner", "x", "no-privileges", "b", "blobs", "B", "no-blobs", "s", "schema-only");
    /** Options that also shape the SQL script pg_restore writes, so they are passed to it too. */
    private static final Set<String> ALSO_FOR_RESTORE = Set.of("no-owner", "no-privileges", "no-acl",
            "no-comments", "no-publications", "no-subscriptions", "no-security-labels", "no-tablespaces");

    public static DumpOptions none() {
        return new DumpOptions(List.of());
    }

    /** Parses a shell-like string ({@code --schema=public -T 'audit.*' --no-owner}). */
    public static DumpOptions parse(String raw, String source) {
        List<String> words = ShellWords.split(raw, source);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String name;
            String value = null;
            if (w.startsWith("--")) {
                int eq = w.indexOf('=');
                name = eq > 0 ? w.substring(2, eq) : w.substring(2);
                value = eq > 0 ? w.substring(eq + 1) : null;
            } else if (w.startsWith("-") && w.length() >= 2) {
                name = SHORT.get(w.substring(1, 2));
                if (name == null) {
                    throw refused(source, w);
                }
                value = w.length() > 2 ? w.substring(2) : null;
            } else {
                throw PgBackupException.config(source + ": unexpected word '" + w
                        + "'; give pg_dump options such as --schema=public --exclude-table=audit.*");
            }
            Boolean takesValue = ALLOWED.get(name);
            if (takesValue == null) {
                throw refused(source, w);
            }
            if (takesValue && value == null) {
                if (i + 1 >= words.size()) {
                    throw PgBackupException.config(source + ": --" + name + " needs a value");
                }
                value = words.get(++i);
            } else if (!takesValue && value != null) {
                throw PgBackupException.config(source + ": --" + name + " takes no value");
            }
            out.add(takesValue ? "--" + name + "=" + value : "--" + name);
        }
        return new DumpOptions(List.copyOf(out));
    }

    private static PgBackupException refused(String source, String w) {
        return PgBackupException.config(source + ": '" + w + "' is not allowed; pgbackup sets format, "
                + "compression, output and connection itself. Allowed: selection options such as --schema, "
                + "--exclude-schema, --table, --exclude-table, --exclude-table-data, --no-owner, --no-privileges");
    }

    /** The subset pg_restore understands that changes the SQL script it writes. */
    public List<String> forRestore() {
        return args.stream().filter(a -> ALSO_FOR_RESTORE.contains(a.substring(2))).toList();
    }
}
