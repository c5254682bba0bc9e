package io.pgbackup.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * pg_dump's column options statement, {@code ALTER TABLE ONLY <table> ALTER COLUMN <column> SET
 * (name=value, ...);} (the column's {@code attoptions}, joined with {@code ", "}).
 */
final class ColumnOptions {
    /** Options every supported server knows; anything else is checked against the target. */
    static final Set<String> STANDARD = Set.of("n_distinct", "n_distinct_inherited");

    private ColumnOptions() {}

    /** The statement around its options: {@code before + options + after} is the statement. */
    record Parsed(String before, List<String> options, String after) {}

    /** The options of {@code stmt}, or null when it is not such a statement. */
    static Parsed parse(String stmt) {
        if (!(stmt.startsWith("ALTER TABLE ") || stmt.startsWith("ALTER FOREIGN TABLE ")) || !stmt.endsWith(");")) {
            return null;
        }
        // The options list has no " SET (" of its own: the last one opens it, whatever the names hold.
        int open = stmt.lastIndexOf(" SET (");
        if (open < 0 || !stmt.substring(0, open).contains(" ALTER COLUMN ")) {
            return null;
        }
        String list = stmt.substring(open + 6, stmt.length() - 2);
        if (list.isEmpty() || list.indexOf('(') >= 0 || list.indexOf(')') >= 0 || list.indexOf('\'') >= 0
                || list.indexOf('"') >= 0 || !list.contains("=")) {
            return null;
        }
        return new Parsed(stmt.substring(0, open + 6), Arrays.asList(list.split(", ")), ");");
    }

    /** An option's name, lower case. */
    static String name(String option) {
        int eq = option.indexOf('=');
        return (eq < 0 ? option : option.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
    }
}
