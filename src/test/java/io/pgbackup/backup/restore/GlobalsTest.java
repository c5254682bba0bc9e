package io.pgbackup.backup.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalsTest {
    static final String DUMPALL = String.join("\n",
            "--",
            "-- PostgreSQL database cluster dump",
            "--",
            "\\restrict AbCdEf123",
            "SET default_transaction_read_only = off;",
            "SET client_encoding = 'UTF8';",
            "CREATE ROLE app;",
            "ALTER ROLE app WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:x';",
            "CREATE ROLE \"Mixed \"\"Role\";",
            "ALTER ROLE \"Mixed \"\"Role\" WITH NOSUPERUSER NOLOGIN;",
            "COMMENT ON ROLE app IS 'the app; with a semicolon';",
            "ALTER ROLE reader SET statement_timeout TO '42s';",
            "GRANT srv_group TO srv_reader GRANTED BY app;",
            "\\unrestrict AbCdEf123",
            "");

    @Test
    void metaCommandsAndCommentsAreDroppedAndStatementsSplitLikePsql() {
        List<String> s = Globals.statements(DUMPALL);
        assertThat(s).hasSize(9).noneMatch(x -> x.contains("restrict")).noneMatch(x -> x.startsWith("--"));
        assertThat(s).anyMatch(x -> x.contains("'the app; with a semicolon'"));
    }

    @Test
    void rolesAreFoundQuotedOrNot() {
        List<String> s = Globals.statements(DUMPALL);
        assertThat(Globals.roles(s)).containsExactly("app", "Mixed \"Role");
        assertThat(Globals.roleOf("ALTER ROLE \"Mixed \"\"Role\" WITH NOLOGIN")).isEqualTo("Mixed \"Role");
        assertThat(Globals.roleOf("COMMENT ON ROLE app IS 'x'")).isEqualTo("app");
        assertThat(Globals.roleOf("ALTER ROLE reader SET statement_timeout TO '42s'")).isEqualTo("reader");
        assertThat(Globals.roleOf("GRANT srv_group TO srv_reader GRANTED BY app")).isNull();
        assertThat(Globals.roleOf("CREATE ROLE App")).as("unquoted names fold to lower case").isEqualTo("app");
    }
}
