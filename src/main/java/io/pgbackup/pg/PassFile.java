package io.pgbackup.pg;

import io.pgbackup.ScratchFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A 0600 libpq password file holding one wildcard line, created for the children of one run and
 * deleted after. This is how the password reaches pg_dump without appearing on its argv
 * ({@code /proc/<pid>/cmdline}) or in its environment. It lives in a private 0700 directory and
 * its name carries our pid: one left by a killed run is deleted by the next run.
 */
public final class PassFile implements AutoCloseable {
    static final String KIND = "pgpass";
    private final Path path;

    private PassFile(Path path) {
        this.path = path;
    }

    public static PassFile create(String password) throws IOException {
        Path p = ScratchFiles.create(ScratchFiles.privateDir(), KIND, ".pgpass");
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
        ScratchFiles.delete(path);
    }
}
