package io.pgbackup.backup.restore;

import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One restore: a backup into a target database, with {@link Options} that default to pg_restore's
 * own (the custom archive, one job, into the target as it is, nothing protected).
 */
public record RestoreRequest(Manifest manifest, ConnectionString target, Options options) {

    /** A restore of {@code manifest} into {@code target} with the default options. */
    public static RestoreRequest of(Manifest manifest, ConnectionString target) {
        return new RestoreRequest(manifest, target, Options.DEFAULT);
    }

    public RestoreRequest with(Options other) {
        return new RestoreRequest(manifest, target, other);
    }

    /** pg_restore's switches a restore may add. */
    public enum Option { CLEAN, NO_OWNER, NO_PRIVILEGES, SINGLE_TRANSACTION }

    /**
     * Where the data lands: the target database as it is; a database {@link #created} on the
     * target's server first; or, for a whole-server restore, the archive's own database, which
     * pg_restore {@code --create} makes from the target server's maintenance database (name,
     * owner, settings, grants and comments as dumped; it must not exist yet).
     */
    public record Into(String createDatabase, boolean archivesOwn) {
        public static final Into TARGET = new Into(null, false);
        public static final Into ARCHIVES_OWN = new Into(null, true);

        public static Into created(String name) {
            return new Into(name, false);
        }
    }

    /**
     * How to restore.
     *
     * @param jobs    more than 1 downloads the archive to {@code tempDir} (null: java.io.tmpdir) first
     *                for {@code pg_restore -j}
     * @param protect the configured source database, never restored over; null protects nothing
     *                (none configured, or {@code --force})
     * @param select  the tables or schemas to restore ({@code --table}, {@code --schema}); {@link
     *                TocSelection.Filter#NONE}: all of it
     */
    public record Options(RestoreFormat format, Set<Option> switches, int jobs, Path tempDir, Into into,
            ConnectionString protect, TocSelection.Filter select) {
        public static final Options DEFAULT = new Options(RestoreFormat.CUSTOM, Set.of(), 1, null, Into.TARGET, null,
                TocSelection.Filter.NONE);

        public Options {
            switches = switches.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(switches));
        }

        public Options with(RestoreFormat other) {
            return new Options(other, switches, jobs, tempDir, into, protect, select);
        }

        /** These options with {@code more} switched on as well. */
        public Options with(Option... more) {
            EnumSet<Option> all = EnumSet.noneOf(Option.class);
            all.addAll(switches);
            all.addAll(List.of(more));
            return new Options(format, all, jobs, tempDir, into, protect, select);
        }

        public Options parallel(int n, Path dir) {
            return new Options(format, switches, n, dir, into, protect, select);
        }

        public Options into(Into other) {
            return new Options(format, switches, jobs, tempDir, other, protect, select);
        }

        public Options protecting(ConnectionString source) {
            return new Options(format, switches, jobs, tempDir, into, source, select);
        }

        public Options selecting(TocSelection.Filter filter) {
            return new Options(format, switches, jobs, tempDir, into, protect, filter);
        }

        public boolean has(Option o) {
            return switches.contains(o);
        }
    }

    boolean plain() {
        return options.format() == RestoreFormat.PLAIN;
    }

    boolean has(Option o) {
        return options.has(o);
    }

    int jobs() {
        return options.jobs();
    }
}
