package io.pgbackup.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {

    static Manifest full() {
        return new Manifest(new Manifest.Header(Manifest.FORMAT_VERSION, "pgbackup", "0.3.0"),
                new Manifest.Run("2026/11/27/03-00-00", "before-migration", "scheduled",
                        Instant.parse("2026-11-27T03:00:00Z"), Instant.parse("2026-11-27T03:00:00.123456Z"),
                        Instant.parse("2026-11-27T03:04:10.5Z"), 250_377L),
                new Manifest.Source("app", "postgresql://app:****@db:5432/app", "17.2", 17, 123_456_789L),
                new Manifest.Dump("17.2", "zstd:3", List.of("--schema=app", "--no-owner")),
                List.of(new Manifest.StoredObject("prod/2026/11/27/03-00-00.dump", "custom", "zstd:3", 1_000L,
                                "a".repeat(64)),
                        new Manifest.StoredObject("prod/2026/11/27/03-00-00.sql.zst", "plain", "zstd", 2_000L,
                                "b".repeat(64))),
                new Manifest.Counts(List.of(new Manifest.Table("app", "users", 1_000_000L, 1_000_123L),
                        new Manifest.Table("app", "audit", 50L, null)), null), null, null);
    }

    private static Manifest decode(byte[] b) throws IOException {
        return ManifestCodec.decode(new ByteArrayInputStream(b));
    }

    @Test
    void roundTripIsEqual() throws IOException {
        Manifest m = full();
        Manifest back = decode(ManifestCodec.encode(m));
        assertThat(back).isEqualTo(m);
        assertThat(back.totalBytes()).isEqualTo(3_000L);
        assertThat(back.object("plain")).map(Manifest.StoredObject::key).contains("prod/2026/11/27/03-00-00.sql.zst");
    }

    @Test
    void roundTripWithNullOptionalFields() throws IOException {
        Manifest m = new Manifest(new Manifest.Header(Manifest.FORMAT_VERSION, "pgbackup", "dev"),
                new Manifest.Run("2026/11/27/03-00-00-2", null, "adhoc", null, Instant.parse("2026-11-27T03:00:00Z"),
                        Instant.parse("2026-11-27T03:00:01Z"), 1000L),
                new Manifest.Source("app", "host=db", "15.18", 15, 0L), new Manifest.Dump("15.18", "gzip:1", List.of()),
                List.of(), new Manifest.Counts(List.of(), null), null, null);
        byte[] json = ManifestCodec.encode(m);
        assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("\"label\"").doesNotContain("\"slot\"");
        assertThat(decode(json)).isEqualTo(m);
    }

    @Test
    void instantsAreIsoStrings() throws IOException {
        JsonNode tree = ManifestCodec.mapper().readTree(ManifestCodec.encode(full()));
        assertThat(tree.get("startedAt").isTextual()).isTrue();
        assertThat(tree.get("startedAt").asText()).isEqualTo("2026-11-27T03:00:00.123456Z");
        assertThat(tree.get("formatVersion").asInt()).isEqualTo(Manifest.FORMAT_VERSION);
    }

    @Test
    void unknownFieldsAreIgnored() throws IOException {
        ObjectNode tree = (ObjectNode) ManifestCodec.mapper().readTree(ManifestCodec.encode(full()));
        tree.put("addedByANewerTool", "x");
        tree.putObject("nested").put("a", 1);
        ((ObjectNode) tree.get("source")).put("replica", true);
        ((ObjectNode) tree.get("objects").get(0)).put("etag", "\"abc\"");
        Manifest back = decode(ManifestCodec.mapper().writeValueAsBytes(tree));
        assertThat(back).isEqualTo(full());
    }

    @Test
    void newerFormatVersionIsRefused() throws IOException {
        ObjectNode tree = (ObjectNode) ManifestCodec.mapper().readTree(ManifestCodec.encode(full()));
        tree.put("formatVersion", Manifest.NEWEST_FORMAT_VERSION + 1);
        byte[] json = ManifestCodec.mapper().writeValueAsBytes(tree);
        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("upgrade")
                .hasMessageContaining("2026/11/27/03-00-00")
                .hasMessageContaining(String.valueOf(Manifest.NEWEST_FORMAT_VERSION + 1));
    }

    @Test
    void currentFormatVersionIsAccepted() throws IOException {
        assertThat(decode(ManifestCodec.encode(full())).formatVersion()).isEqualTo(Manifest.FORMAT_VERSION);
    }

    @Test
    void garbageIsAnIOException() {
        assertThatThrownBy(() -> decode("{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }
}
