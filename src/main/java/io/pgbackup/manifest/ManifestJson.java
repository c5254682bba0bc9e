package io.pgbackup.manifest;

import com.fasterxml.jackson.databind.util.StdConverter;
import java.time.Instant;
import java.util.List;

/**
 * A manifest as stored and printed: one flat JSON object, field names as every version of
 * pgbackup wrote them (older versions read newer manifests and the other way round), while
 * {@link Manifest} itself is composed of parts.
 */
final class ManifestJson {
    private ManifestJson() {}

    /** The stored document. */
    record Flat(int formatVersion, String tool, String toolVersion, String stem, String label, String trigger, Instant slot,
            Instant startedAt, Instant finishedAt, long durationMillis, Manifest.Source source, Manifest.Dump dump,
            List<Manifest.StoredObject> objects, List<Manifest.Table> tables, Manifest.Rows rows,
            Manifest.Encryption encryption, Manifest.Server server) {}

    public static final class ToFlat extends StdConverter<Manifest, Flat> {
        @Override
        public Flat convert(Manifest m) {
            return new Flat(m.formatVersion(), m.tool(), m.toolVersion(), m.stem(), m.label(), m.trigger(), m.slot(),
                    m.startedAt(), m.finishedAt(), m.durationMillis(), m.source(), m.dump(), m.objects(),
                    m.counts() == null ? null : m.counts().tables(), m.rows(), m.encryption(), m.server());
        }
    }

    public static final class FromFlat extends StdConverter<Flat, Manifest> {
        @Override
        public Manifest convert(Flat f) {
            return new Manifest(new Manifest.Header(f.formatVersion(), f.tool(), f.toolVersion()),
                    new Manifest.Run(f.stem(), f.label(), f.trigger(), f.slot(), f.startedAt(), f.finishedAt(),
                            f.durationMillis()),
                    f.source(), f.dump(), f.objects(), new Manifest.Counts(f.tables(), f.rows()), f.encryption(),
                    f.server());
        }
    }
}
