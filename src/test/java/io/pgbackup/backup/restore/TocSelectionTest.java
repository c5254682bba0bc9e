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

    static TocSelection.Result select(List<String> tables, List<String> schemas, List<String> exclude) {
        return TocSelection.select(all, new TocSelection.Filter(tables, schemas, exclude));
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
        assertThat(r.conditional().entrySet()).as("foreign keys to and from tables not restored, not the view over it")
                .map(e -> TocSelection.Result.why(e.getKey(), e.getValue()))
                .anySatisfy(l -> assertThat(l).startsWith("FK CONSTRAINT public.orders orders_customer_fkey (it needs")
                        .contains("table public.customers"))
                .anySatisfy(l -> assertThat(l).startsWith("FK CONSTRAINT public.order_lines order_lines_order_id_fkey")
                        .contains("table public.order_lines").doesNotContain("orders_pkey"))
                .noneSatisfy(l -> assertThat(l).contains("big_orders"));
        assertThat(described(r.prerequisites())).as("what it needs to exist")
                .containsExactlyInAnyOrder("TYPE public.status", "FUNCTION public.touch()");
        String list = r.list(Set.of());
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
        assertThat(r.conditional()).isEmpty();
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
        assertThat(r.conditional()).as("an excluded table's own parts go silently").isEmpty();
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
                List.of()));
        assertThat(described(r.entries())).contains("STATISTICS DATA public.orders",
                "STATISTICS DATA public.orders_customer_idx", "STATISTICS DATA public.orders_pkey")
                .doesNotContain("STATISTICS DATA public.customers");
    }

    @Test
    void levenshtein() {
        assertThat(TocSelection.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(TocSelection.distance("", "abc")).isEqualTo(3);
        assertThat(TocSelection.distance("orders", "orders")).isZero();
    }
}
