package io.pgbackup.backup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which entries a selective restore takes, from the real {@code pg_restore -l -v} listing of a
 * PostgreSQL 15 dump (toc/shop-pg15.list): orders with an enum column, a trigger function, a
 * policy, grants, a comment, an owned sequence, foreign keys both ways; a partitioned table; a
 * second schema with a table of the same name; a table whose name has a space.
 */
class TocSelectionTest {
    static List<TocSelection.Entry> all;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = TocSelectionTest.class.getResourceAsStream("/toc/shop-pg15.list")) {
            all = TocSelection.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Into an empty (scratch) database. */
    static TocSelection.Result select(List<String> tables, List<String> schemas, List<String> exclude) {
        return TocSelection.select(all, new TocSelection.Filter(tables, schemas, exclude), e -> false);
    }

    /** Into a database that has the relations named {@code schema.name} (constraints: {@code schema.table name}). */
    static TocSelection.Result into(Set<String> has, String... tables) {
        return TocSelection.select(all, new TocSelection.Filter(List.of(tables), List.of(), List.of()),
                e -> has.contains(e.qualified()));
    }

    static TocSelection.Entry entry(String desc, String qualified) {
        return all.stream().filter(e -> e.desc().equals(desc) && e.qualified().equals(qualified)).findFirst().orElseThrow();
    }

    static Set<String> described(List<TocSelection.Entry> entries) {
        return entries.stream().map(e -> e.desc() + " " + e.qualified()).collect(Collectors.toSet());
    }

    @Test
    void parsesMultiWordDescriptionsTagsWithSpacesAndDependencies() {
        TocSelection.Entry fk = all.stream().filter(e -> e.line().contains("order_lines_order_id_fkey")).findFirst()
                .orElseThrow();
        assertThat(fk.desc()).isEqualTo("FK CONSTRAINT");
        assertThat(fk.namespace()).isEqualTo("public");
        assertThat(fk.tag()).isEqualTo("order_lines order_lines_order_id_fkey");
        assertThat(fk.deps()).hasSize(3);
        TocSelection.Entry mixed = all.stream().filter(e -> e.line().contains("Mixed")).findFirst().orElseThrow();
        assertThat(mixed.desc()).isEqualTo("TABLE");
        assertThat(mixed.qualified()).isEqualTo("public.Mixed Case");
        assertThat(all.get(0).desc()).isEqualTo("ENCODING");
    }

    @Test
    void aTableComesWithItsDataIndexesConstraintsTriggerPolicyGrantsCommentAndSequence() {
        TocSelection.Result r = select(List.of("public.orders"), List.of(), List.of());
        assertThat(r.tables()).containsExactly("public.orders");
        assertThat(described(r.entries())).containsExactlyInAnyOrder(
                "TABLE public.orders", "TABLE DATA public.orders", "COMMENT public.TABLE orders",
                "ACL public.TABLE orders", "SEQUENCE public.orders_id_seq", "SEQUENCE OWNED BY public.orders_id_seq",
                "SEQUENCE SET public.orders_id_seq", "DEFAULT public.orders id", "CONSTRAINT public.orders orders_pkey",
                "INDEX public.orders_customer_idx", "TRIGGER public.orders orders_touch", "ROW SECURITY public.orders",
                "POLICY public.orders p1");
        assertThat(r.leftOut()).as("foreign keys to and from tables the empty target lacks, not the view over it")
                .anySatisfy(l -> assertThat(l).startsWith("FK CONSTRAINT public.orders orders_customer_fkey (it needs")
                        .contains("table public.customers"))
                .anySatisfy(l -> assertThat(l).startsWith("FK CONSTRAINT public.order_lines order_lines_order_id_fkey")
                        .contains("table public.order_lines").doesNotContain("orders_pkey"))
                .noneSatisfy(l -> assertThat(l).contains("big_orders"));
        assertThat(described(r.prerequisites())).as("what it needs to exist")
                .containsExactlyInAnyOrder("TYPE public.status", "FUNCTION public.touch()");
        String list = r.list(Set.of());
        assertThat(TocSelection.attachedTo(all, Set.of(entry("SCHEMA", "sales").id()))).as("nothing attached to sales")
                .isEmpty();
        List<String> order = all.stream().map(TocSelection.Entry::line).toList();
        assertThat(list.lines().map(order::indexOf).toList())
                .as("the archive's own order, so a stream is read front to back")
                .isSorted().doesNotContain(-1).hasSize(r.entries().size() + 3);
    }

    @Test
    void aTableNameWithoutASchemaMatchesEverySchemaAsPgRestoreDoes() {
        TocSelection.Result r = select(List.of("orders"), List.of(), List.of());
        assertThat(r.tables()).containsExactlyInAnyOrder("public.orders", "sales.orders");
        assertThat(select(List.of("orders"), List.of("sales"), List.of()).tables()).containsExactly("sales.orders");
    }

    @Test
    void tablesSelectedTogetherKeepTheForeignKeysBetweenThem() {
        TocSelection.Result r = select(List.of("orders", "customers", "order_lines"), List.of("public"), List.of());
        assertThat(described(r.entries())).contains("FK CONSTRAINT public.orders orders_customer_fkey",
                "FK CONSTRAINT public.order_lines order_lines_order_id_fkey");
        assertThat(r.leftOut()).isEmpty();
    }

    @Test
    void aPartitionedTableComesWithItsPartitions() {
        TocSelection.Result r = select(List.of("events"), List.of(), List.of());
        assertThat(described(r.entries())).contains("TABLE public.events", "TABLE public.events_2026",
                "TABLE ATTACH public.events_2026", "TABLE DATA public.events_2026", "INDEX ATTACH public.events_2026_pkey",
                "CONSTRAINT public.events_2026 events_2026_pkey");
    }

    @Test
    void aSchemaIsEverythingInItLessTheExcludedTablesAndTheSchemaItselfIfMissing() {
        TocSelection.Result r = select(List.of(), List.of("sales"), List.of("sales.targets"));
        assertThat(r.tables()).containsExactly("sales.orders");
        assertThat(described(r.entries())).containsExactlyInAnyOrder("TABLE sales.orders", "TABLE DATA sales.orders",
                "CONSTRAINT sales.orders orders_pkey");
        assertThat(r.leftOut()).as("an excluded table's own parts go silently").isEmpty();
        assertThat(described(r.prerequisites())).containsExactly("SCHEMA sales");
    }

    @Test
    void aNameNotInTheBackupListsTheNearestNames() {
        assertThatThrownBy(() -> select(List.of("order"), List.of(), List.of()))
                .isInstanceOf(TocSelection.UnknownNames.class)
                .hasMessageStartingWith("no table order in the backup; the nearest names it has: ")
                .satisfies(e -> assertThat(((TocSelection.UnknownNames) e).nearest()).startsWith("public.orders",
                        "sales.orders"));
        assertThatThrownBy(() -> select(List.of(), List.of("sale"), List.of())).hasMessageContaining("no schema sale")
                .satisfies(e -> assertThat(((TocSelection.UnknownNames) e).nearest()).first().isEqualTo("sales"));
        assertThatThrownBy(() -> select(List.of("Orders"), List.of(), List.of())).as("names are case-sensitive")
                .isInstanceOf(TocSelection.UnknownNames.class);
    }

    @Test
    void pgDump18sStatisticsComeWithTheirTableAndIndexes() throws Exception {
        List<TocSelection.Entry> pg18;
        try (InputStream in = TocSelectionTest.class.getResourceAsStream("/toc/shop-pg18-tools.list")) {
            pg18 = TocSelection.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        TocSelection.Result r = TocSelection.select(pg18, new TocSelection.Filter(List.of("public.orders"), List.of(),
                List.of()), e -> false);
        assertThat(described(r.entries())).contains("STATISTICS DATA public.orders",
                "STATISTICS DATA public.orders_customer_idx", "STATISTICS DATA public.orders_pkey")
                .doesNotContain("STATISTICS DATA public.customers");
    }

    @Test
    void intoTheLiveDatabaseTheForeignKeysToTablesItHasComeToo() {
        TocSelection.Result r = into(Set.of("public.customers", "public.order_lines", "public.customers customers_pkey"),
                "public.orders");
        assertThat(described(r.entries())).contains("FK CONSTRAINT public.orders orders_customer_fkey",
                "FK CONSTRAINT public.order_lines order_lines_order_id_fkey");
        assertThat(r.leftOut()).isEmpty();
    }

    @Test
    void aPartitionAloneComesWithItsDataKeyAndAttachmentWhenTheTargetHasItsParent() {
        TocSelection.Result r = into(Set.of("public.events", "public.events events_pkey"), "events_2026");
        assertThat(described(r.entries())).contains("TABLE public.events_2026", "TABLE ATTACH public.events_2026",
                "TABLE DATA public.events_2026", "CONSTRAINT public.events_2026 events_2026_pkey",
                "INDEX ATTACH public.events_2026_pkey");
        List<String> lines = r.list(Set.of()).lines().toList();
        assertThat(lines.subList(lines.size() - 2, lines.size())).as("attached last, once its own key exists")
                .satisfiesExactly(l -> assertThat(l).contains("TABLE ATTACH public events_2026"),
                        l -> assertThat(l).contains("INDEX ATTACH public events_2026_pkey"));
        List<String> both = select(List.of("events"), List.of(), List.of()).list(Set.of()).lines().toList();
        assertThat(both.get(both.size() - 1)).as("with its parent restored too, the archive's own order")
                .doesNotContain("TABLE ATTACH");
    }

    @Test
    void aNamedTableThatCannotBeRestoredIsAnErrorNotASilentSuccess() {
        assertThatThrownBy(() -> select(List.of("events_2026"), List.of(), List.of()))
                .isInstanceOf(TocSelection.Unrestorable.class)
                .hasMessageContaining("cannot restore public.events_2026 needs table public.events")
                .hasMessageContaining("add it with --table");
        assertThatThrownBy(() -> select(List.of("big_orders"), List.of(), List.of()))
                .as("a view over a table that is not restored").isInstanceOf(TocSelection.Unrestorable.class);
        assertThat(select(List.of("big_orders", "public.orders"), List.of(), List.of()).tables())
                .containsExactlyInAnyOrder("public.big_orders", "public.orders");
    }

    @Test
    void aTableWithAColumnOfAnotherTablesRowTypeIsNotItsPartition() {
        String listing = """
                10; 2615 1 SCHEMA - Sales Dept postgres
                20; 1259 2 TABLE public orders postgres
                21; 1259 3 TABLE public orders_audit postgres
                ;	depends on: 20
                22; 0 2 TABLE DATA public orders postgres
                ;	depends on: 20
                23; 1259 4 TABLE Sales Dept q1 report Domain Users
                ;	depends on: 10
                24; 0 4 TABLE DATA Sales Dept q1 report Domain Users
                ;	depends on: 23
                """;
        List<TocSelection.Entry> toc = TocSelection.parse(listing);
        TocSelection.Result r = TocSelection.select(toc, new TocSelection.Filter(List.of("orders"), List.of(), List.of()),
                e -> false);
        assertThat(described(r.entries())).containsExactlyInAnyOrder("TABLE public.orders", "TABLE DATA public.orders");
        TocSelection.Entry q1 = toc.stream().filter(e -> e.id() == 23).findFirst().orElseThrow();
        assertThat(q1.namespace()).as("a schema name with a space, known from its SCHEMA entry").isEqualTo("Sales Dept");
        TocSelection.Result sales = TocSelection.select(toc, new TocSelection.Filter(List.of(), List.of("Sales Dept"),
                List.of()), e -> false);
        assertThat(sales.entries()).hasSize(2);
        assertThat(described(sales.prerequisites())).containsExactly("SCHEMA Sales Dept");
    }

    @Test
    void levenshtein() {
        assertThat(TocSelection.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(TocSelection.distance("", "abc")).isEqualTo(3);
        assertThat(TocSelection.distance("orders", "orders")).isZero();
    }
}
