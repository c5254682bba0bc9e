package io.pgbackup.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;

/** JSON encoding of manifests (and other small JSON documents the tool stores or prints). */
public final class ManifestCodec {
    /** A manifest this version cannot read: malformed, or written by a newer format. */
    public static final class UnreadableManifestException extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean newerFormat;

        UnreadableManifestException(String message, boolean newerFormat) {
            super(message);
            this.newerFormat = newerFormat;
        }

        /** Written by a newer pgbackup: not corrupted, just not ours to judge (or delete). */
        public boolean newerFormat() {
            return newerFormat;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Newer tools may add fields; an older reader should still list the backup.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private ManifestCodec() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Decodes a manifest; refuses one written by a newer, incompatible format. */
    public static Manifest decode(InputStream in) throws IOException {
        Manifest m;
        try {
            m = MAPPER.readValue(in, Manifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new UnreadableManifestException("not a pgbackup manifest: " + e.getOriginalMessage(), false);
        }
        if (m == null || m.stem() == null || m.objects() == null) {
            throw new UnreadableManifestException("not a pgbackup manifest: stem or objects missing", false);
        }
        if (m.formatVersion() > Manifest.NEWEST_FORMAT_VERSION) {
            throw new UnreadableManifestException("manifest " + m.stem() + " has formatVersion " + m.formatVersion()
                    + "; this pgbackup reads up to " + Manifest.NEWEST_FORMAT_VERSION + ": upgrade pgbackup", true);
        }
        return m;
    }
}
