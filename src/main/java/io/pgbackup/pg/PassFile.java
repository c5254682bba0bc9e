package io.pgbackup.pg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A 0600 libpq password file holding one wildcard line, created for the children of one run and
 * deleted after. This is how the password reaches pg_dump without appearing on its argv
 * ({@code /proc/<pid>/cmdline}) or in its environment.
 */
public final class PassFile implements AutoCloseable {
    private final Path path;

    private PassFile(Path path) {
        this.path = path;
    }

    public static PassFile create(String password) throws IOException {
        Path p = Files.createTempFile("pgbackup-", ".pgpass",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        // libpq's format: host:port:db:user:password, with ':' and '\' escaped in each field.
        String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
        Files.writeString(p, "*:*:*:*:" + escaped + "\n", StandardCharsets.UTF_8);
        return new PassFile(p);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(path);
    }
}
