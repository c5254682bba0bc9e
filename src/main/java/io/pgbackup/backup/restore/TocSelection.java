package io.pgbackup.backup.restore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which entries of an archive's table of contents a selective restore ({@code --table},
 * {@code --schema}, {@code --exclude-table}) restores, from {@code pg_restore -l -v}'s listing; the
 * result is written back as a {@code pg_restore -L} list in the archive's own order, so a stream
 * with no data offsets (pg_dump wrote it to a pipe) is still read front to back.
 *
 * <p>Names match as pg_restore's {@code -t}/{@code -n} do (exactly, case-sensitively; a table is a
 * table, view, materialized view, sequence or foreign table; {@code --schema} and {@code --table}
 * together mean the table in that schema), and {@code --table schema.name} names one schema's
 * table. Unlike {@code pg_restore -t}, which restores the bare table, a selected table comes with
 * what makes it the table it was: its data, indexes, constraints, triggers, defaults, owned
 * sequences, policies, rules, statistics, grants and comments, and its partitions. A foreign key
 * or other dependent that also needs a relation not being restored comes when the target has that
 * relation (the live database), else it is left out and named. What
 * the selection needs to exist (its schema, types, functions, extensions) is returned as {@link
 * Result#prerequisites}: the caller restores those the target lacks.
 *
 * <p>The listing's lines are {@code ID; CATALOG-OID OID DESC NAMESPACE TAG OWNER}; tags and
 * owners are not quoted, so a tag with spaces is read as all but the last word (the owner).
 */
public final class TocSelection {
    /** What pg_restore -t matches. */
    private static final Set<String> TABLE_KINDS = Set.of("TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE",
            "FOREIGN TABLE");
    /** What belongs to a selected table and comes with it. */
    private static final Set<String> DEPENDENT_KINDS = Set.of("TABLE DATA", "MATERIALIZED VIEW DATA", "INDEX",
            "CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT", "TRIGGER", "DEFAULT", "ACL", "COMMENT",
            "SECURITY LABEL", "RULE", "POLICY", "ROW SECURITY", "STATISTICS", "STATISTICS DATA", "SEQUENCE",
            "SEQUENCE OWNED BY", "SEQUENCE SET", "INDEX ATTACH", "TABLE ATTACH", "TABLE", "PUBLICATION TABLE");
    /** Created by the restore: one the target already has fails pg_restore halfway. */
    private static final Set<String> CREATED_KINDS = Set.of("TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE",
            "SEQUENCE", "INDEX", "CONSTRAINT", "TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "AGGREGATE");
    /** What a selected object may need to exist first; restored only where the target lacks it. */
    static final Set<String> PREREQUISITE_KINDS = Set.of("SCHEMA", "TYPE", "SHELL TYPE", "DOMAIN", "FUNCTION",
            "PROCEDURE", "AGGREGATE", "EXTENSION", "COLLATION", "SEQUENCE", "SERVER", "FOREIGN DATA WRAPPER",
            "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY", "TEXT SEARCH PARSER", "TEXT SEARCH TEMPLATE",
            "OPERATOR", "OPERATOR CLASS", "OPERATOR FAMILY", "ACCESS METHOD", "CAST", "CONVERSION",
            "PROCEDURAL LANGUAGE");
    /** What comes with a prerequisite that is restored: its grants, comment and a sequence's value. */
    private static final Set<String> ATTACHED_KINDS = Set.of("ACL", "COMMENT", "SECURITY LABEL", "SEQUENCE SET");
    private static final Set<String> SESSION = Set.of("ENCODING", "STDSTRINGS", "SEARCHPATH");
    /** Descriptions of more than one word, longest first, so "TABLE DATA" is not read as "TABLE". */
    private static final List<String> MULTI_WORD = List.of("MATERIALIZED VIEW DATA", "SEQUENCE OWNED BY",
            "PUBLICATION TABLES IN SCHEMA", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY", "TEXT SEARCH PARSER",
            "TEXT SEARCH TEMPLATE", "FOREIGN DATA WRAPPER", "LARGE OBJECT", "MATERIALIZED VIEW", "CHECK CONSTRAINT",
            "DEFAULT ACL", "EVENT TRIGGER", "FK CONSTRAINT", "FOREIGN TABLE", "INDEX ATTACH",
            "OPERATOR CLASS", "OPERATOR FAMILY", "PUBLICATION TABLE", "ROW SECURITY", "SECURITY LABEL", "SEQUENCE SET",
            "STATISTICS DATA", "TABLE ATTACH", "TABLE DATA", "USER MAPPING", "BLOB METADATA", "BLOBS", "PROCEDURAL LANGUAGE",
            "ACCESS METHOD", "SHELL TYPE", "DATABASE PROPERTIES", "SUBSCRIPTION TABLE", "PUBLICATION TABLE",
            "TRANSFORM");

    private TocSelection() {}

    /** What to restore: tables and schemas (either may be empty, not both) and tables to leave out. */
    public record Filter(List<String> tables, List<String> schemas, List<String> excludeTables) {
        public static final Filter NONE = new Filter(List.of(), List.of(), List.of());

        public Filter {
            tables = List.copyOf(tables);
            schemas = List.copyOf(schemas);
            excludeTables = List.copyOf(excludeTables);
        }

        public boolean isEmpty() {
            return tables.isEmpty() && schemas.isEmpty();
        }

        /** For logs and messages: {@code --table orders --schema sales}. */
        public String describe() {
            List<String> out = new ArrayList<>();
            tables.forEach(t -> out.add("--table " + t));
            schemas.forEach(s -> out.add("--schema " + s));
            excludeTables.forEach(t -> out.add("--exclude-table " + t));
            return String.join(" ", out);
        }
    }

    /** One entry of the listing. */
    public record Entry(int id, String desc, String namespace, String tag, List<Integer> deps, String line) {
        /** {@code schema.name}, or the tag alone when it has no schema. */
        public String qualified() {
            return namespace.equals("-") ? tag : namespace + "." + tag;
        }

        boolean tableKind() {
            return TABLE_KINDS.contains(desc);
        }
    }

    /**
     * @param entries       the entries to restore, in the archive's order
     * @param tables        the tables (table-like relations) selected, qualified
     * @param leftOut       what depends on a selected table but cannot be restored into this
     *                      target, each with why (a foreign key to a table it lacks)
     * @param prerequisites what the selection needs that it does not include, to restore if the
     *                      target lacks it, in the archive's order
     * @param all           every entry of the archive, in its order
     */
    public record Result(List<Entry> entries, List<String> tables, List<String> leftOut, List<Entry> prerequisites,
            List<Entry> all) {
        /** The {@code pg_restore -L} list for these entries plus {@code extra} (missing prerequisites), in archive order. */
        public String list(Set<Integer> extra) {
            Set<Integer> ids = entries.stream().map(Entry::id).collect(Collectors.toCollection(HashSet::new));
            ids.addAll(extra);
            // the session's encoding, standard_conforming_strings and search_path: pg_restore sets
            // them whatever the list says, and listing them makes that plain
            List<Entry> listed = all.stream().filter(e -> ids.contains(e.id()) || SESSION.contains(e.desc())).toList();
            // A partition attached to a parent the target has: attaching it first would make
            // Postgres build its primary key from the parent's, and the archive's own then fails.
            // Attached last, the partition's own indexes (restored from the archive) are adopted.
            List<Entry> late = listed.stream().filter(e -> (e.desc().equals("TABLE ATTACH")
                    || e.desc().equals("INDEX ATTACH")) && !ids.containsAll(e.deps())).toList();
            StringBuilder out = new StringBuilder();
            listed.stream().filter(e -> !late.contains(e)).forEach(e -> out.append(e.line()).append('\n'));
            late.stream().filter(e -> e.desc().equals("TABLE ATTACH")).forEach(e -> out.append(e.line()).append('\n'));
            late.stream().filter(e -> e.desc().equals("INDEX ATTACH")).forEach(e -> out.append(e.line()).append('\n'));
            return out.toString();
        }
    }

    /** The entries of a {@code pg_restore -l -v} listing, dependencies attached. */
    public static List<Entry> parse(String listing) {
        // Names are not quoted in the listing: a schema's name (it may have spaces) is known from
        // its SCHEMA entry, whose namespace is "-", and other entries' namespaces match one of those.
        Set<String> schemas = new HashSet<>(Set.of("public", "pg_catalog"));
        for (String line : listing.split("\n")) {
            Entry e = parseLine(line, Set.of());
            if (e != null && e.desc().equals("SCHEMA")) {
                schemas.add(e.tag());
            }
        }
        List<Entry> out = new ArrayList<>();
        Entry last = null;
        for (String line : listing.split("\n")) {
            if (line.startsWith(";")) {
                String body = line.substring(1).strip();
                if (last != null && body.startsWith("depends on:")) {
                    List<Integer> deps = new ArrayList<>(last.deps());
                    for (String d : body.substring("depends on:".length()).trim().split("\\s+")) {
                        if (!d.isEmpty()) {
                            deps.add(Integer.parseInt(d));
                        }
                    }
                    last = new Entry(last.id(), last.desc(), last.namespace(), last.tag(), List.copyOf(deps), last.line());
                    out.set(out.size() - 1, last);
                }
                continue;
            }
            Entry e = parseLine(line, schemas);
            if (e != null) {
                out.add(e);
                last = e;
            }
        }
        return out;
    }

    static Entry parseLine(String line, Set<String> schemas) {
        int semi = line.indexOf(';');
        if (semi <= 0 || !line.substring(0, semi).chars().allMatch(Character::isDigit)) {
            return null;
        }
        int id = Integer.parseInt(line.substring(0, semi));
        String[] head = line.substring(semi + 1).stripLeading().split(" ", 3); // catalog oid, oid, rest
        if (head.length < 3) {
            return null;
        }
        String rest = head[2];
        String desc = MULTI_WORD.stream().filter(d -> rest.startsWith(d + " ")).findFirst()
                .orElseGet(() -> rest.substring(0, Math.max(0, rest.indexOf(' '))));
        String afterDesc = rest.substring(Math.min(rest.length(), desc.length() + 1));
        String known = schemas.stream().filter(n -> afterDesc.startsWith(n + " "))
                .max(java.util.Comparator.comparingInt(String::length)).orElse(null);
        int sp = known != null ? known.length() : afterDesc.indexOf(' ');
        String namespace = sp < 0 ? afterDesc : afterDesc.substring(0, sp);
        String tagAndOwner = sp < 0 ? "" : afterDesc.substring(sp + 1);
        int lastSpace = tagAndOwner.lastIndexOf(' ');
        String tag = lastSpace < 0 ? tagAndOwner : tagAndOwner.substring(0, lastSpace);
        return new Entry(id, desc, namespace, tag, List.of(), line);
    }

    /**
     * Checks {@code filter}'s names against the backup before anything else happens.
     *
     * @throws UnknownNames when a name matches nothing in the backup
     */
    public static void checkNames(List<Entry> all, Filter filter) {
        roots(all, filter);
    }

    /**
     * What the names pick before any dependent joins: {@code selected} (the named tables, or the
     * named schemas' entries), {@code named} (the tables named, which must be restored) and
     * {@code excluded} (the tables left out).
     */
    private record Roots(Set<Integer> selected, Set<Integer> named, Set<Integer> excluded) {}

    private static Roots roots(List<Entry> all, Filter filter) {
        List<String> unknown = new ArrayList<>();
        Set<String> schemasInBackup = all.stream().map(Entry::namespace).filter(n -> !n.equals("-"))
                .collect(Collectors.toSet());
        all.stream().filter(e -> e.desc().equals("SCHEMA")).forEach(e -> schemasInBackup.add(e.tag()));
        filter.schemas().stream().filter(s -> !schemasInBackup.contains(s)).forEach(s -> unknown.add("schema " + s));
        Set<Integer> selected = new LinkedHashSet<>();
        Set<Integer> named = new LinkedHashSet<>();
        for (String t : filter.tables()) {
            List<Entry> hits = all.stream().filter(Entry::tableKind).filter(e -> names(e, t))
                    .filter(e -> filter.schemas().isEmpty() || filter.schemas().contains(e.namespace())).toList();
            if (hits.isEmpty()) {
                unknown.add("table " + t);
            }
            hits.forEach(e -> named.add(e.id()));
        }
        selected.addAll(named);
        if (filter.tables().isEmpty()) {
            all.stream().filter(e -> filter.schemas().contains(e.namespace())).forEach(e -> selected.add(e.id()));
        }
        Set<Integer> excluded = new HashSet<>();
        for (String t : filter.excludeTables()) {
            List<Entry> hits = all.stream().filter(Entry::tableKind).filter(e -> names(e, t)).toList();
            if (hits.isEmpty()) {
                unknown.add("table " + t + " (--exclude-table)");
            }
            hits.forEach(e -> excluded.add(e.id()));
        }
        if (!unknown.isEmpty()) {
            throw new UnknownNames(unknown, nearest(all, filter, schemasInBackup));
        }
        selected.removeAll(excluded);
        named.removeAll(excluded);
        return new Roots(selected, named, excluded);
    }

    /**
     * The entries {@code filter} selects from {@code all}, for a target that has what
     * {@code targetHas} says (a relation or constraint outside the selection: a foreign key's
     * other table); an empty database has nothing.
     *
     * @throws UnknownNames   when a name matches nothing in the backup
     * @throws Unrestorable   when a table that was named cannot be restored into this target
     */
    public static Result select(List<Entry> all, Filter filter, java.util.function.Predicate<Entry> targetHas) {
        Map<Integer, Entry> byId = new HashMap<>();
        all.forEach(e -> byId.put(e.id(), e));
        Roots roots = roots(all, filter);
        Set<Integer> selected = roots.selected();
        Set<Integer> named = roots.named();
        Set<Integer> excluded = roots.excluded();
        // Dependents of what is selected join it, until nothing more does.
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Entry e : all) {
                if (selected.contains(e.id()) || excluded.contains(e.id()) || !DEPENDENT_KINDS.contains(e.desc())
                        || e.deps().stream().noneMatch(selected::contains)) {
                    continue;
                }
                if (e.desc().equals("TABLE") && !partition(e, all, selected)) {
                    continue; // a table with a column of this one's row type is not part of it
                }
                selected.add(e.id());
                grew = true;
            }
        }
        // What needs a relation that is neither restored nor in the target cannot be restored:
        // what goes with an excluded table goes silently, anything else (a foreign key to another
        // table, a view over one) is named, and so is what depends on it.
        List<String> leftOut = new ArrayList<>();
        Map<Integer, String> why = new HashMap<>();
        boolean shrank = true;
        while (shrank) {
            shrank = false;
            for (Entry e : all) {
                if (!selected.contains(e.id())) {
                    continue;
                }
                List<Entry> missing = e.deps().stream().filter(d -> !selected.contains(d)).map(byId::get)
                        .filter(d -> d != null && !PREREQUISITE_KINDS.contains(d.desc()) && !targetHas.test(d)).toList();
                if (missing.isEmpty()) {
                    continue;
                }
                selected.remove(e.id());
                shrank = true;
                String reason = missing.stream().map(d -> why.getOrDefault(d.id(), d.desc().toLowerCase(Locale.ROOT) + " "
                        + d.qualified())).distinct().collect(Collectors.joining(", "));
                why.put(e.id(), reason);
                if (missing.stream().noneMatch(d -> excluded.contains(d.id()))) {
                    leftOut.add(e.desc() + " " + e.qualified() + " (it needs " + reason + ", which is neither restored "
                            + "nor in the target)");
                }
                excluded.add(e.id()); // its own dependents go too
            }
        }
        List<String> lost = named.stream().filter(id -> !selected.contains(id)).map(byId::get)
                .map(e -> e.qualified() + " needs " + why.get(e.id())).toList();
        if (!lost.isEmpty()) {
            throw new Unrestorable("cannot restore " + String.join("; ", lost) + ", which is neither restored nor in the "
                    + "target: add it with --table, or restore into a database that has it");
        }
        List<Entry> entries = all.stream().filter(e -> selected.contains(e.id())).toList();
        if (entries.isEmpty()) {
            throw new Unrestorable("nothing to restore: " + filter.describe() + " selects no object"
                    + (leftOut.isEmpty() ? "" : " this target can take (" + String.join("; ", leftOut) + ")"));
        }
        Set<Integer> need = new LinkedHashSet<>();
        for (Entry e : entries) {
            addPrerequisites(e, byId, selected, need);
        }
        List<Entry> prerequisites = all.stream().filter(e -> need.contains(e.id())).toList();
        List<String> tables = entries.stream().filter(Entry::tableKind).filter(e -> !e.desc().equals("SEQUENCE")
                || filter.tables().stream().anyMatch(t -> names(e, t))).map(Entry::qualified).toList();
        return new Result(entries, tables, leftOut, prerequisites, all);
    }

    /** A partition of a selected table: a TABLE with a TABLE ATTACH entry to one. */
    private static boolean partition(Entry e, List<Entry> all, Set<Integer> selected) {
        return all.stream().anyMatch(a -> a.desc().equals("TABLE ATTACH") && a.deps().contains(e.id())
                && a.deps().stream().anyMatch(d -> d != e.id() && selected.contains(d)));
    }

    private static void addPrerequisites(Entry e, Map<Integer, Entry> byId, Set<Integer> selected, Set<Integer> need) {
        for (int d : e.deps()) {
            Entry dep = byId.get(d);
            if (dep != null && !selected.contains(d) && PREREQUISITE_KINDS.contains(dep.desc()) && need.add(d)) {
                addPrerequisites(dep, byId, selected, need);
            }
        }
    }

    /** Whether the restore creates {@code e} (so a target that has it makes pg_restore fail). */
    public static boolean creates(Entry e) {
        return CREATED_KINDS.contains(e.desc());
    }

    /** The entries that come with a restored prerequisite {@code id}: its grants, comment, a sequence's value. */
    public static List<Entry> attachedTo(List<Entry> all, Set<Integer> restored) {
        return all.stream().filter(e -> ATTACHED_KINDS.contains(e.desc()) && !e.deps().isEmpty()
                && restored.containsAll(e.deps())).toList();
    }

    /** Whether {@code name} ({@code table} or {@code schema.table}) names {@code e}. */
    private static boolean names(Entry e, String name) {
        return e.tag().equals(name) || e.qualified().equals(name);
    }

    /** The backup's names closest to those not found, best first. */
    static List<String> nearest(List<Entry> all, Filter filter, Set<String> schemas) {
        Set<String> candidates = new LinkedHashSet<>();
        all.stream().filter(Entry::tableKind).forEach(e -> candidates.add(e.qualified()));
        candidates.addAll(schemas);
        List<String> wanted = new ArrayList<>(filter.tables());
        wanted.addAll(filter.schemas());
        wanted.addAll(filter.excludeTables());
        Map<String, Integer> best = new LinkedHashMap<>();
        for (String c : candidates) {
            int d = Integer.MAX_VALUE;
            for (String w : wanted) {
                String bare = c.contains(".") && !w.contains(".") ? c.substring(c.indexOf('.') + 1) : c;
                d = Math.min(d, distance(w.toLowerCase(Locale.ROOT), bare.toLowerCase(Locale.ROOT)));
            }
            best.put(c, d);
        }
        return best.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey())).limit(5).map(Map.Entry::getKey).toList();
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A selection that cannot be restored into its target. */
    public static final class Unrestorable extends RuntimeException {
        Unrestorable(String message) {
            super(message);
        }
    }

    /** Names a selective restore asked for that the backup does not have. */
    public static final class UnknownNames extends RuntimeException {
        private final List<String> names;
        private final List<String> nearest;

        UnknownNames(List<String> names, List<String> nearest) {
            super("no " + String.join(", ", names) + " in the backup" + (nearest.isEmpty() ? ""
                    : "; the nearest names it has: " + String.join(", ", nearest)));
            this.names = List.copyOf(names);
            this.nearest = List.copyOf(nearest);
        }

        public List<String> names() {
            return names;
        }

        public List<String> nearest() {
            return nearest;
        }
    }
}
