package io.pgbackup.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Row counts from a plain script as pg_restore writes it, whatever the write boundaries. */
class RowCountingStageTest {
    static final String SCRIPT = String.join("\n",
            "--",
            "-- PostgreSQL database dump",
            "SET client_encoding = 'UTF8';",
            "--",
            "-- Name: t; Type: TABLE; Schema: public; Owner: postgres",
            "--",
            "CREATE TABLE public.t (a integer, b text);",
            "--",
            "-- Name: Order Items; Type: TABLE; Schema: Sales Ünïcode; Owner: app",
            "--",
            "CREATE TABLE \"Sales Ünïcode\".\"Order Items\" (id bigint);",
            "-- Name: e; Type: TABLE; Schema: public; Owner: -",
            "CREATE TABLE public.e (x integer);",
            "-- Name: nocols; Type: TABLE; Schema: public; Owner: -",
            "CREATE TABLE public.nocols (",
            ");",
            "-- Name: 16406; Type: BLOB; Schema: -; Owner: postgres",
            "SELECT pg_catalog.lo_create('16406');",
            "SELECT pg_catalog.lo_create('16407');",
            "COPY public.t (a, b) FROM stdin;",
            "1\tline\\nbreak",
            "2\ttab\\there",
            "3\tback\\\\slash",
            "4\t\\\\.",
            "5\t\\.x",
            "\\.",
            "COPY \"Sales Ünïcode\".\"Order Items\" (id, \"Größe\", \"we\"\"ird\") FROM stdin;",
            "1\t\\N\t\\N",
            "2\tklein\tx",
            "\\.",
            "COPY public.e (x) FROM stdin;",
            "\\.",
            "COPY public.nocols  FROM stdin;",
            "",
            "",
            "\\.",
            "BEGIN;",
            "SELECT pg_catalog.lo_open('16406', 131072);",
            "SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');",
            "SELECT pg_catalog.lo_close(0);",
            "COMMIT;",
            "--",
            "-- PostgreSQL database dump complete",
            "--",
            "");

    static RowCountingStage run(byte[] script, int maxChunk, long seed) throws Exception {
        RowCountingStage stage = new RowCountingStage();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = stage.wrap(sink);
        Random r = new Random(seed);
        int i = 0;
        while (i < script.length) {
            int n = Math.min(script.length - i, 1 + r.nextInt(maxChunk));
            out.write(script, i, n);
            i += n;
        }
        out.close();
        assertThat(sink.toByteArray()).as("the stage passes every byte through").isEqualTo(script);
        return stage;
    }

    @Test
    void countsRowsPerCopyBlockWhateverTheWriteBoundaries() throws Exception {
        byte[] script = SCRIPT.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 3, 7, 64, 100_000}) {
            for (long seed = 0; seed < 5; seed++) {
                RowCountingStage s = run(script, chunk, seed);
                assertThat(s.rows()).as("chunks up to " + chunk).containsExactly(
                        java.util.Map.entry(new RowCountingStage.Table("public", "t"), 5L),
                        java.util.Map.entry(new RowCountingStage.Table("Sales Ünïcode", "Order Items"), 2L),
                        java.util.Map.entry(new RowCountingStage.Table("public", "e"), 0L),
                        java.util.Map.entry(new RowCountingStage.Table("public", "nocols"), 2L));
                assertThat(s.tables()).containsExactly(new RowCountingStage.Table("public", "t"),
                        new RowCountingStage.Table("Sales Ünïcode", "Order Items"),
                        new RowCountingStage.Table("public", "e"), new RowCountingStage.Table("public", "nocols"));
                assertThat(s.largeObjects()).isEqualTo(2);
                assertThat(s.complete()).isTrue();
            }
        }
    }

    @Test
    void aCopyHeaderLongerThanTheLookAheadIsStillRecognised() throws Exception {
        StringBuilder cols = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            cols.append(i == 0 ? "" : ", ").append("column_").append(i);
        }
        String script = "COPY public.wide (" + cols + ") FROM stdin;\n1\n2\n3\n\\.\n";
        RowCountingStage s = run(script.getBytes(StandardCharsets.UTF_8), 5000, 1);
        assertThat(s.rows()).containsEntry(new RowCountingStage.Table("public", "wide"), 3L);
    }

    @Test
    void longRowsAndALatin1ScriptAreCounted() throws Exception {
        String big = "x".repeat(3_000_000);
        String script = "SET client_encoding = 'LATIN1';\nCOPY public.\"Größe\" (v) FROM stdin;\n" + big + "\n" + big
                + "\n\\.\n";
        RowCountingStage s = run(script.getBytes(StandardCharsets.ISO_8859_1), 70_000, 2);
        assertThat(s.rows()).containsEntry(new RowCountingStage.Table("public", "Größe"), 2L);
    }

    @Test
    void aLargeBlockOfShortRowsIsCountedExactly() throws Exception {
        // a 64 MiB COPY block of 100-byte rows, fed in 1 MB writes (what it costs is measured in bench/)
        byte[] row = ("1\t" + "v".repeat(97) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[row.length * 10_000];
        for (int i = 0; i < 10_000; i++) {
            System.arraycopy(row, 0, chunk, i * row.length, row.length);
        }
        RowCountingStage s = new RowCountingStage();
        OutputStream out = s.wrap(OutputStream.nullOutputStream());
        out.write("COPY public.t (a, b) FROM stdin;\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 67; i++) {
            out.write(chunk);
        }
        out.write("\\.\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.rows()).containsEntry(new RowCountingStage.Table("public", "t"), 670_000L);
    }
    /**
     * What pg_dump 18 writes for names a comment header cannot hold (a newline, a header inside a
     * name, a COPY inside a name) and for text that only looks like statements: a literal, a
     * dollar-quoted function body and a comment holding COPY lines. Names come out exact.
     */
    static final String TRICKY = String.join("\n",
            "\\restrict fjOgc7nnNWrPteIVVdA71edYq12Jf2RNmtHvZEJxbStHB3adLigB0dPfcxgOpHc",
            "SET client_encoding = 'UTF8';",
            "-- Name: new line; Type: TABLE; Schema: Odd Schema; Owner: postgres",
            "CREATE TABLE \"Odd Schema\".\"new",
            "line\" (",
            "    v integer",
            ");",
            "-- Name: -- Name: fake; Type: TABLE; Schema: public; Owner: x; Type: TABLE; Schema: public; Owner: postgres",
            "CREATE TABLE public.\"-- Name: fake; Type: TABLE; Schema: public; Owner: x\" (",
            "    v integer",
            ");",
            "CREATE TABLE public.\"COPY x FROM stdin;\" (v text);",
            "CREATE UNLOGGED TABLE \"dot.ted\".\"a.b\" (v text);",
            "CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $_$",
            "BEGIN",
            "COPY public.ghost FROM stdin;",
            "END $_$;",
            "COMMENT ON TABLE public.\"COPY x FROM stdin;\" IS 'x",
            "COPY public.ghost2 FROM stdin;",
            "CREATE TABLE public.ghost3 (v int);",
            "';",
            "/* COPY public.ghost4 FROM stdin; /* nested */ still comment",
            "COPY public.ghost5 FROM stdin; */",
            "SELECT E'it\\'s; COPY public.ghost6 FROM stdin;' AS x;",
            "COPY \"Odd Schema\".\"new",
            "line\" (v) FROM stdin;",
            "1",
            "2",
            "3",
            "4",
            "\\.",
            "COPY public.\"-- Name: fake; Type: TABLE; Schema: public; Owner: x\" (v) FROM stdin;",
            "1",
            "2",
            "\\.",
            "COPY public.\"COPY x FROM stdin;\" (v) FROM stdin;",
            "\\\\.",
            "a\\nb",
            "SET transaction_timeout = 0;",
            "COPY public.inner FROM stdin;",
            "\\.",
            "COPY \"dot.ted\".\"a.b\" (v) FROM stdin;",
            "x",
            "\\.",
            "\\unrestrict fjOgc7nnNWrPteIVVdA71edYq12Jf2RNmtHvZEJxbStHB3adLigB0dPfcxgOpHc",
            "");

    @Test
    void namesComeFromTheStatementsExactlyAndLookAlikesAreNotStatements() throws Exception {
        byte[] script = TRICKY.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 3, 64, 100_000}) {
            RowCountingStage s = run(script, chunk, chunk);
            RowCountingStage.Table newline = new RowCountingStage.Table("Odd Schema", "new\nline");
            RowCountingStage.Table header = new RowCountingStage.Table("public",
                    "-- Name: fake; Type: TABLE; Schema: public; Owner: x");
            RowCountingStage.Table copy = new RowCountingStage.Table("public", "COPY x FROM stdin;");
            RowCountingStage.Table dotted = new RowCountingStage.Table("dot.ted", "a.b");
            assertThat(s.tables()).as("chunks up to " + chunk).containsExactly(newline, header, copy, dotted);
            assertThat(s.rows()).containsExactly(java.util.Map.entry(newline, 4L), java.util.Map.entry(header, 2L),
                    java.util.Map.entry(copy, 4L), java.util.Map.entry(dotted, 1L));
        }
    }

    @Test
    void aLatin1ScriptsNamesAreDecodedAsLatin1() throws Exception {
        String script = "SET client_encoding = 'LATIN1';\nCREATE TABLE public.\"caf\u00e9\" (v int);\n"
                + "COPY public.\"caf\u00e9\" (v) FROM stdin;\n1\n\\.\n";
        RowCountingStage s = run(script.getBytes(StandardCharsets.ISO_8859_1), 7, 3);
        assertThat(s.tables()).containsExactly(new RowCountingStage.Table("public", "caf\u00e9"));
        assertThat(s.rows()).containsEntry(new RowCountingStage.Table("public", "caf\u00e9"), 1L);
    }
}
