package io.pgbackup.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Server and encrypted manifests: codec round trips, the one-database view, what an encrypted manifest shows. */
class ServerManifestTest {
    static final Instant T = Instant.parse("2026-12-01T03:00:00Z");

    static Manifest.StoredObject obj(String key, String format, boolean enc) {
        return new Manifest.StoredObject(key, format, "zstd", 100, "c".repeat(64), enc ? "age" : null);
    }

    static Manifest server(boolean encrypted) {
        Manifest.Rows r1 = new Manifest.Rows(Manifest.Rows.DUMP_STREAM, 10, 0);
        Manifest.Rows r2 = new Manifest.Rows(Manifest.Rows.DUMP_STREAM, 5, 1);
        String age = encrypted ? ".age" : "";
        Manifest.StoredObject g = obj("s/2026/12/01/03-00-00.globals.sql.zst" + age, "globals", encrypted);
        Manifest.StoredObject a1 = obj("s/2026/12/01/03-00-00/app.dump" + age, "custom", encrypted);
        Manifest.StoredObject a2 = obj("s/2026/12/01/03-00-00/app.sql.zst" + age, "plain", encrypted);
        Manifest.StoredObject b1 = obj("s/2026/12/01/03-00-00/My%20DB.dump" + age, "custom", encrypted);
        Manifest.Database a = new Manifest.Database("app", 1000, List.of(a1, a2),
                List.of(new Manifest.Table("public", "users", 10, 10L)), r1);
        Manifest.Database b = new Manifest.Database("My DB", 2000, List.of(b1),
                List.of(new Manifest.Table("x", "secret_table", 5, 5L)), r2);
        return new Manifest(new Manifest.Header(Manifest.SERVER_FORMAT_VERSION, "pgbackup", "dev"),
                new Manifest.Run("2026/12/01/03-00-00", null, "adhoc", null, T, T.plusSeconds(9), 9000),
                new Manifest.Source(null, "postgresql://u:****@h/postgres", "17.2", 17, 3000),
                new Manifest.Dump("17.2", "zstd:1", List.of("--exclude-table-data=x.secret_table")),
                List.of(g, a1, a2, b1),
                new Manifest.Counts(List.of(), new Manifest.Rows(Manifest.Rows.DUMP_STREAM, 15, 1)),
                encrypted ? new Manifest.Encryption("age", List.of("age1xyz")) : null,
                new Manifest.Server(List.of(a, b), g.key(), null,
                        List.of(new Manifest.Skipped("template0", "a template database"))));
    }

    static Manifest decode(byte[] b) throws IOException {
        return ManifestCodec.decode(new ByteArrayInputStream(b));
    }

    @Test
    void aServerManifestRoundTripsAndWritesNoDerivedProperties() throws IOException {
        Manifest m = server(false);
        byte[] json = ManifestCodec.encode(m);
        assertThat(decode(json)).isEqualTo(m);
        JsonNode tree = ManifestCodec.mapper().readTree(json);
        // derived accessors (serverBackup, encrypted, databaseNames...) must not become fields
        assertThat(tree.get("server").isObject()).isTrue();
        assertThat(tree.has("serverBackup")).isFalse();
        assertThat(tree.has("databaseNames")).isFalse();
        assertThat(tree.get("objects").get(0).has("encrypted")).isFalse();
    }

    @Test
    void oneDatabaseOfAServerBackupReadsLikeAOneDatabaseBackup() {
        Manifest m = server(false);
        assertThat(m.serverBackup()).isTrue();
        assertThat(m.databaseNames()).containsExactly("app", "My DB");
        Manifest one = m.forDatabase("My DB");
        assertThat(one.serverBackup()).isFalse();
        assertThat(one.source().database()).isEqualTo("My DB");
        assertThat(one.source().sizeBytes()).isEqualTo(2000);
        assertThat(one.objects()).extracting(Manifest.StoredObject::key).containsExactly("s/2026/12/01/03-00-00/My%20DB.dump");
        assertThat(one.object("plain")).isEmpty();
        assertThat(one.tables()).extracting(Manifest.Table::name).containsExactly("secret_table");
        assertThat(one.exactRowCounts()).isTrue();
        assertThat(m.globals()).map(Manifest.StoredObject::format).contains("globals");
        assertThatThrownBy(() -> m.forDatabase("nope")).hasMessageContaining("has no database 'nope'")
                .hasMessageContaining("app, My DB");
    }

    @Test
    void anEncryptedManifestShowsNoTablesRowsOrSelectionOptionsAndTheCatalogPutsThemBack() throws IOException {
        Manifest full = server(true);
        Manifest readable = full.readable();
        String json = new String(ManifestCodec.encode(readable), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("secret_table").doesNotContain("users").doesNotContain("rowCount")
                .contains("\"My DB\"").contains("age1xyz");
        Manifest back = decode(ManifestCodec.encode(readable)).withContents(ManifestCodec.mapper()
                .readValue(ManifestCodec.encode(full.contents()), Manifest.Contents.class));
        assertThat(back.forDatabase("My DB").tables()).isEqualTo(full.forDatabase("My DB").tables());
        assertThat(back.dump().options()).isEqualTo(full.dump().options());
        assertThat(back.forDatabase("app").rows()).isEqualTo(full.forDatabase("app").rows());
    }

    @Test
    void oneDatabaseManifestsOfEveryVersionStillRead() throws IOException {
        Manifest v1 = ManifestCodecTest.full();
        assertThat(v1.serverBackup()).isFalse();
        assertThat(v1.databaseNames()).containsExactly("app");
        assertThat(v1.forDatabase("app")).isSameAs(v1);
        assertThat(decode(ManifestCodec.encode(v1))).isEqualTo(v1);
    }
}
