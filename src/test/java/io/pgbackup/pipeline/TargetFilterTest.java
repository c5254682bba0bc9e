package io.pgbackup.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What an older server refuses (pg_restore 17+'s session settings, newer minors' column options) is left out; nothing else is. */
class TargetFilterTest {
    static final Set<String> PG16 = Set.of("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
            "client_encoding", "standard_conforming_strings", "check_function_bodies", "xmloption",
            "client_min_messages", "row_security", "default_tablespace", "default_table_access_method");

    static String filter(String script, Set<String> known, int maxChunk, long seed, TargetFilter[] out) throws Exception {
        TargetFilter f = new TargetFilter(known, Set.of());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream o = f.wrap(sink);
        byte[] b = script.getBytes(StandardCharsets.UTF_8);
        Random r = new Random(seed);
        for (int i = 0; i < b.length; ) {
            int n = Math.min(b.length - i, 1 + r.nextInt(maxChunk));
            o.write(b, i, n);
            i += n;
        }
        o.close();
        if (out != null) {
            out[0] = f;
        }
        return sink.toString(StandardCharsets.UTF_8);
    }

    /** What pg_restore 17 writes for a database with data that mentions the setting too. */
    static final String SCRIPT = String.join("\n",
            "--",
            "-- PostgreSQL database dump",
            "--",
            "",
            "\\restrict abc",
            "",
            "SET statement_timeout = 0;",
            "SET lock_timeout = 0;",
            "SET idle_in_transaction_session_timeout = 0;",
            "SET transaction_timeout = 0;",
            "SET client_encoding = 'UTF8';",
            "SELECT pg_catalog.set_config('search_path', '', false);",
            "CREATE FUNCTION public.f() RETURNS void LANGUAGE sql AS $$",
            "SET transaction_timeout = 0;",
            "$$;",
            "COMMENT ON FUNCTION public.f() IS '",
            "SET transaction_timeout = 0;",
            "';",
            "/*",
            "SET transaction_timeout = 0;",
            "*/",
            "COPY public.\"x",
            "SET transaction_timeout = 0;\" (v) FROM stdin;",
            "SET transaction_timeout = 0;",
            "\\.",
            "\\connect -reuse-previous=on \"dbname='other'\"",
            "SET statement_timeout = 0;",
            "SET transaction_timeout = 0;",
            "SET some_future_setting TO 'x';",
            "SET custom.placeholder = 1;",
            "\\unrestrict abc",
            "");

    @Test
    void dropsOnlyTopLevelSetsOfUnknownSettings() throws Exception {
        String expected = SCRIPT.replaceFirst("SET transaction_timeout = 0;\n", "")
                .replace("\\connect -reuse-previous=on \"dbname='other'\"\nSET statement_timeout = 0;\nSET transaction_timeout = 0;\n"
                        + "SET some_future_setting TO 'x';\n",
                        "\\connect -reuse-previous=on \"dbname='other'\"\nSET statement_timeout = 0;\n");
        for (int chunk : new int[] {1, 2, 5, 64, 100_000}) {
            TargetFilter[] f = new TargetFilter[1];
            assertThat(filter(SCRIPT, PG16, chunk, chunk, f)).as("chunks up to " + chunk).isEqualTo(expected);
            assertThat(f[0].dropped()).containsExactly("SET transaction_timeout = 0;", "SET transaction_timeout = 0;",
                    "SET some_future_setting TO 'x';");
        }
    }

    @Test
    void aServerThatKnowsEverySettingGetsTheScriptUnchanged() throws Exception {
        Set<String> all = new java.util.HashSet<>(PG16);
        all.add("transaction_timeout");
        all.add("some_future_setting");
        assertThat(filter(SCRIPT, all, 7, 1, null)).isEqualTo(SCRIPT);
    }

    @Test
    void columnOptionsTheTargetDoesNotKnowAreLeftOutAndTheRestKept() throws Exception {
        String script = String.join("\n",
                "CREATE TABLE \"Odd Schema\".\"new",
                "line\" (v integer, w integer);",
                "ALTER TABLE ONLY \"Odd Schema\".\"new",
                "line\" ALTER COLUMN v SET (pg_attver=24619960);",
                "ALTER TABLE ONLY public.t ALTER COLUMN w SET (n_distinct=-1, pg_attver=24619960);",
                "ALTER TABLE ONLY public.\"x SET (pg_attver=1);\" ALTER COLUMN \"SET (\" SET (pg_attver=7);",
                "COMMENT ON TABLE public.t IS 'ALTER TABLE ONLY public.t ALTER COLUMN w SET (pg_attver=1);';",
                "ALTER TABLE ONLY public.t ALTER COLUMN w SET STATISTICS 100;",
                "COPY public.t (v) FROM stdin;",
                "ALTER TABLE ONLY public.t ALTER COLUMN w SET (pg_attver=1);",
                "\\.",
                "");
        String expected = String.join("\n",
                "CREATE TABLE \"Odd Schema\".\"new",
                "line\" (v integer, w integer);",
                "ALTER TABLE ONLY public.t ALTER COLUMN w SET (n_distinct=-1);",
                "COMMENT ON TABLE public.t IS 'ALTER TABLE ONLY public.t ALTER COLUMN w SET (pg_attver=1);';",
                "ALTER TABLE ONLY public.t ALTER COLUMN w SET STATISTICS 100;",
                "COPY public.t (v) FROM stdin;",
                "ALTER TABLE ONLY public.t ALTER COLUMN w SET (pg_attver=1);",
                "\\.",
                "");
        for (int chunk : new int[] {1, 4, 100_000}) {
            TargetFilter f = new TargetFilter(null, Set.of("pg_attver"));
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            OutputStream o = f.wrap(sink);
            byte[] b = script.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < b.length; i += chunk) {
                o.write(b, i, Math.min(chunk, b.length - i));
            }
            o.close();
            assertThat(sink.toString(StandardCharsets.UTF_8)).as("chunks of " + chunk).isEqualTo(expected);
            assertThat(f.dropped()).containsExactly("pg_attver=24619960", "pg_attver=24619960", "pg_attver=7");
        }
    }

    @Test
    void longLinesAndCopyDataPassUnbuffered() throws Exception {
        String big = "x".repeat(200_000);
        String script = "SET transaction_timeout = 0;\nSELECT '" + big + "';\nCOPY public.t (v) FROM stdin;\n" + big
                + "\nSET transaction_timeout = 0;\n\\.\nSET transaction_timeout = 0;\n";
        String expected = "SELECT '" + big + "';\nCOPY public.t (v) FROM stdin;\n" + big + "\nSET transaction_timeout = 0;\n\\.\n";
        assertThat(filter(script, PG16, 70_000, 3, null)).isEqualTo(expected);
    }
}
