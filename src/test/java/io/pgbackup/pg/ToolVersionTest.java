package io.pgbackup.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ToolVersionTest {

    @Test
    void debianPgDump() {
        ToolVersion v = ToolVersion.parse("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)").orElseThrow();
        assertThat(v.major()).isEqualTo(15);
        assertThat(v.full()).isEqualTo("15.18");
        assertThat(v).hasToString("15.18");
    }

    @Test
    void plainPgRestore() {
        ToolVersion v = ToolVersion.parse("pg_restore (PostgreSQL) 17.2").orElseThrow();
        assertThat(v.major()).isEqualTo(17);
        assertThat(v.full()).isEqualTo("17.2");
    }

    @Test
    void betaPsql() {
        ToolVersion v = ToolVersion.parse("psql (PostgreSQL) 16beta1").orElseThrow();
        assertThat(v.major()).isEqualTo(16);
        assertThat(v.full()).startsWith("16");
    }

    @Test
    void oldStyleThreePartVersion() {
        ToolVersion v = ToolVersion.parse("pg_dump (PostgreSQL) 9.6.24").orElseThrow();
        assertThat(v.major()).isEqualTo(9);
        assertThat(v.full()).isEqualTo("9.6.24");
    }

    @Test
    void bareVersion() {
        assertThat(ToolVersion.parse("17.2")).contains(new ToolVersion(17, "17.2"));
    }

    @Test
    void unparseable() {
        assertThat(ToolVersion.parse("pg_dump: command not found")).isEmpty();
        assertThat(ToolVersion.parse("")).isEmpty();
    }

    @Test
    void fromServerNum() {
        assertThat(ToolVersion.fromServerNum(150018, "15.18").major()).isEqualTo(15);
        assertThat(ToolVersion.fromServerNum(170002, "17.2").major()).isEqualTo(17);
        assertThat(ToolVersion.fromServerNum(90624, "9.6.24").major()).isEqualTo(9);
        assertThat(ToolVersion.fromServerNum(170002, "17.2 (Debian)").full()).isEqualTo("17.2 (Debian)");
    }
}
