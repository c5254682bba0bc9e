package io.pgbackup.backup.take;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ServerInfo;
import io.pgbackup.pg.TableInfo;
import io.pgbackup.pg.ToolVersion;
import io.pgbackup.pipeline.RowCountingStage;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tables a backup's manifest lists: the dump's, with the rows counted in it and the server's estimates. */
class ManifestTablesTest {
    @Test
    void theManifestListsTheTablesOfTheDumpWithTheirCountsAndTheServersEstimates() throws Exception {
        RowCountingStage counter = new RowCountingStage();
        try (OutputStream out = counter.wrap(OutputStream.nullOutputStream())) {
            out.write(String.join("\n", "-- Name: a; Type: TABLE; Schema: public; Owner: x", "CREATE TABLE public.a (x int);",
                    "-- Name: p; Type: TABLE; Schema: public; Owner: x", "CREATE TABLE public.p (x int) PARTITION BY RANGE (x);",
                    "-- Name: new_one; Type: TABLE; Schema: public; Owner: x", "CREATE TABLE public.new_one (x int);",
                    "COPY public.a (x) FROM stdin;", "1", "2", "\\.", "COPY public.new_one (x) FROM stdin;", "\\.", "")
                    .getBytes(StandardCharsets.UTF_8));
        }
        ServerInfo info = new ServerInfo(new ToolVersion(15, "15.1"), "db", 1, List.of(
                new TableInfo("public", "a", 7, false), new TableInfo("public", "p", 0, true),
                new TableInfo("other", "not_dumped", 3, false)));
        assertThat(DatabaseDump.tables(info, counter)).containsExactly(
                new Manifest.Table("public", "a", 7, 2L, null),
                new Manifest.Table("public", "new_one", -1, 0L, null),
                new Manifest.Table("public", "p", 0, null, "partitioned"));
    }
}
