package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shared fixtures for the list/selector/restore/verify/drill tests: copies of a real backup's
 * manifest (and optionally its objects) under chosen stems, times and labels, and tampering.
 */
final class RestoreFixtures {
    static final ObjectMapper JSON = ManifestCodec.mapper();

    private RestoreFixtures() {}

    /** A real backup of {@code db} into {@code bucket} under {@code prefix}; returns its manifest key. */
    static String realBackup(String bucket, String prefix, String db, String... extra) {
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("S3_PREFIX", prefix);
        List<String> args = new ArrayList<>(List.of("backup"));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(env, args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().strip();
    }

    static Map<String, String> env(String bucket, String prefix, String db) {
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("S3_PREFIX", prefix);
        return env;
    }

    static byte[] read(ObjectStore store, String key) throws IOException {
        try (InputStream in = store.get(key)) {
            return in.readAllBytes();
        }
    }

    static ObjectNode manifestNode(ObjectStore store, String key) throws IOException {
        return (ObjectNode) JSON.readTree(read(store, key));
    }

    static Manifest manifest(ObjectStore store, String key) throws IOException {
        try (InputStream in = store.get(key)) {
            return ManifestCodec.decode(in);
        }
    }

    static void put(ObjectStore store, String key, byte[] bytes) throws IOException {
        store.put(key, new ByteArrayInputStream(bytes));
    }

    /** Deletes {@code key} and puts {@code bytes} in its place (put never overwrites). */
    static void replace(ObjectStore store, String key, byte[] bytes) throws IOException {
        store.delete(key);
        put(store, key, bytes);
    }

    /** Flips one byte in the middle of {@code key} in place; returns the flipped offset. */
    static int flipByteInTheMiddle(ObjectStore store, String key) throws IOException {
        byte[] b = read(store, key);
        int at = b.length / 2;
        b[at] = (byte) (b[at] ^ 0x5a);
        replace(store, key, b);
        return at;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a copy of a backup should look like. */
    static final class Copy {
        final String stem;
        Instant startedAt;
        Instant finishedAt;
        String label;
        boolean withObjects;
        Consumer<ObjectNode> edit = n -> {};

        Copy(String stem) {
            this.stem = stem;
            this.startedAt = KeyLayout.instantOf(stem);
        }

        Copy at(Instant t) {
            this.startedAt = t;
            return this;
        }

        Copy finished(Instant t) {
            this.finishedAt = t;
            return this;
        }

        Copy label(String l) {
            this.label = l;
            return this;
        }

        Copy withObjects() {
            this.withObjects = true;
            return this;
        }

        Copy edit(Consumer<ObjectNode> e) {
            this.edit = e;
            return this;
        }
    }

    /**
     * Copies the manifest at {@code srcManifestKey} (of layout {@code src}) to {@code copy.stem} in
     * {@code dst} (layout {@code dstLayout}), rewriting stem, times, label and object keys; the
     * objects themselves are copied only with {@link Copy#withObjects}. Returns the new manifest key.
     */
    static String copy(ObjectStore from, KeyLayout src, String srcManifestKey, ObjectStore to, KeyLayout dstLayout,
            Copy copy) throws IOException {
        return copy(from, src, manifestNode(from, srcManifestKey), to, dstLayout, copy);
    }

    static String copy(ObjectStore from, KeyLayout src, ObjectNode original, ObjectStore to, KeyLayout dstLayout,
            Copy copy) throws IOException {
        ObjectNode n = original.deepCopy();
        String oldStem = n.get("stem").asText();
        long durationMillis = n.path("durationMillis").asLong(1000);
        n.put("stem", copy.stem);
        n.put("startedAt", copy.startedAt.toString());
        Instant fin = copy.finishedAt != null ? copy.finishedAt : copy.startedAt.plusMillis(durationMillis);
        n.put("finishedAt", fin.toString());
        if (copy.label == null) {
            n.remove("label");
        } else {
            n.put("label", copy.label);
        }
        String oldBase = stemBase(src, oldStem);
        for (JsonNode o : (ArrayNode) n.get("objects")) {
            String oldKey = o.get("key").asText();
            assertThat(oldKey).startsWith(oldBase);
            String newKey = stemBase(dstLayout, copy.stem) + oldKey.substring(oldBase.length());
            ((ObjectNode) o).put("key", newKey);
            if (copy.withObjects) {
                put(to, newKey, read(from, oldKey));
            }
        }
        copy.edit.accept(n);
        String key = dstLayout.manifestKey(copy.stem);
        put(to, key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        return key;
    }

    /** The object node of {@code format} ("custom" or "plain") inside a manifest node. */
    static ObjectNode object(ObjectNode manifest, String format) {
        for (JsonNode o : manifest.get("objects")) {
            if (o.get("format").asText().equals(format)) {
                return (ObjectNode) o;
            }
        }
        throw new AssertionError("no " + format + " object in " + manifest);
    }

    /** Names of databases on {@code pg} that start with {@code prefix}. */
    static List<String> databasesLike(PgServer pg, String prefix) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select datname from pg_database order by 1")) {
            while (rs.next()) {
                if (rs.getString(1).startsWith(prefix)) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static long count(PgServer pg, String db, String sql) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The relative stem of a manifest key under {@code layout}. */
    static String stemOf(KeyLayout layout, String manifestKey) {
        return layout.manifestStem(manifestKey).orElseThrow(() -> new AssertionError("not a manifest key: " + manifestKey));
    }

    /** Stems in the order `list` printed them (skips the header). */
    static List<String> listedStems(String out) {
        List<String> stems = new ArrayList<>();
        for (String line : out.split("\n")) {
            String first = line.strip().split("\\s+")[0];
            if (KeyLayout.isRelativeStem(first)) {
                stems.add(first);
            }
        }
        return stems;
    }

    static List<String> jsonStems(String json) throws IOException {
        JsonNode arr = JSON.readTree(json);
        assertThat(arr.isArray()).as(json).isTrue();
        List<String> stems = new ArrayList<>();
        arr.forEach(m -> stems.add(m.get("stem").asText()));
        return stems;
    }

    /** {@code <prefix>/<stem>}: what every key of a backup starts with. */
    private static String stemBase(KeyLayout layout, String stem) {
        String manifest = layout.manifestKey(stem);
        return manifest.substring(0, manifest.length() - ".json".length());
    }
}
