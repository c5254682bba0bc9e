package io.pgbackup.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsOnStatementEndsOnly() {
        assertThat(SqlScript.split("select 1; select 2;\nselect 3")).containsExactly("select 1", "select 2", "select 3");
    }

    @Test
    void semicolonsInsideLiteralsIdentifiersAndDollarQuotesDoNotSplit() {
        String sql = "select count(*) = 1 from t where note = 'a; b' ;\n"
                + "select 'it''s; fine' <> '' ;\n"
                + "select E'back\\\\slash\\'; quote' is not null;\n"
                + "select count(*) > 0 from \"odd;name\";\n"
                + "select $$ body; with ; semicolons $$ <> '';\n"
                + "select $fn$ x; $$ y; $fn$ <> ''";
        assertThat(SqlScript.split(sql)).containsExactly(
                "select count(*) = 1 from t where note = 'a; b'",
                "select 'it''s; fine' <> ''",
                "select E'back\\\\slash\\'; quote' is not null",
                "select count(*) > 0 from \"odd;name\"",
                "select $$ body; with ; semicolons $$ <> ''",
                "select $fn$ x; $$ y; $fn$ <> ''");
    }

    @Test
    void commentsAreDroppedIncludingSemicolonsInThem() {
        String sql = "-- the orders are there; all of them\nselect count(*) > 0 from orders; -- trailing; comment\n"
                + "/* a block; comment /* nested; */ still; */ select true;\n-- only a comment;";
        assertThat(SqlScript.split(sql)).containsExactly("select count(*) > 0 from orders", "select true");
    }

    @Test
    void parametersAndIdentifiersWithDollarsAreNotDollarQuotes() {
        assertThat(SqlScript.split("select a$b from t where x = $1; select 2"))
                .containsExactly("select a$b from t where x = $1", "select 2");
    }

    @Test
    void emptyInputGivesNoStatements() {
        assertThat(SqlScript.split("  ;;\n -- nothing\n")).isEmpty();
    }
}
