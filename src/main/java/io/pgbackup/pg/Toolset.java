package io.pgbackup.pg;

import java.nio.file.Path;

/** The client programs of one PostgreSQL major (pg_dump, pg_restore, pg_dumpall, psql), in one directory. */
public record Toolset(int major, Path dir) {
    public Path program(String name) {
        return dir.resolve(name);
    }

    @Override
    public String toString() {
        return major + " (" + dir + ")";
    }
}
