package io.pgbackup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local files a run needs for a while (passfiles, the archive of a parallel restore): each name
 * carries its process's pid and start time, they are deleted when the run ends (also on SIGTERM,
 * through a shutdown hook), and whatever a killed run left behind is deleted by the next run that
 * makes a file of the same kind: nothing outlives a run that a later run does not clean up.
 */
public final class ScratchFiles {
    private static final Logger log = LoggerFactory.getLogger(ScratchFiles.class);
    private static final Set<Path> OWN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ScratchFiles::deleteOwn, "scratch-cleanup"));
    }

    private ScratchFiles() {}

    /** A private directory for small secret files: {@code <tmp>/pgbackup-<user>}, mode 0700, ours. */
    public static Path privateDir() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "pgbackup-" + System.getProperty("user.name", "user")
                .replaceAll("[^A-Za-z0-9_.-]", "_"));
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // ours from an earlier run, or someone else's trap: check before trusting it
        }
        String owner = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        boolean mine = owner.equals(System.getProperty("user.name"))
                && Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        .equals(PosixFilePermissions.fromString("rwx------"));
        if (!mine) {
            // Someone else made it (a shared /tmp): use a fresh private directory instead.
            return Files.createTempDirectory("pgbackup-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return dir;
    }

    /**
     * Creates an empty file {@code <kind>-<pid>-<start>-<random><suffix>} in {@code dir} (mode 0600),
     * first deleting files of the same kind whose process is gone.
     */
    public static Path create(Path dir, String kind, String suffix) throws IOException {
        sweep(dir, kind);
        ProcessId me = ProcessId.self();
        long start = me.processStart() == null ? 0 : me.processStart().toEpochMilli();
        Path p = dir.resolve(kind + "-" + me.pid() + "-" + start + "-" + UUID.randomUUID() + suffix);
        Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        OWN.add(p);
        return p;
    }

    /** Deletes a file made by {@link #create}. */
    public static void delete(Path p) throws IOException {
        try {
            Files.deleteIfExists(p);
        } finally {
            OWN.remove(p);
        }
    }

    /** Deletes files of {@code kind} in {@code dir} left by processes of this host that are gone. */
    public static int sweep(Path dir, String kind) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, kind + "-*")) {
            for (Path p : files) {
                ProcessId owner = ownerOf(p.getFileName().toString(), kind);
                if (owner != null && owner.isDeadOnThisHost()) {
                    Files.deleteIfExists(p);
                    removed++;
                    log.info("removed {} left by a run that is gone (pid {})", p, owner.pid());
                }
            }
        } catch (IOException e) {
            log.debug("cannot sweep {}: {}", dir, e.toString());
        }
        return removed;
    }

    static ProcessId ownerOf(String name, String kind) {
        String[] f = name.substring(kind.length() + 1).split("-", 3);
        if (f.length < 3) {
            return null;
        }
        try {
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            return new ProcessId(ProcessId.hostName(), pid, start == 0 ? null : Instant.ofEpochMilli(start));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void deleteOwn() {
        for (Path p : OWN) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // the next run's sweep removes it
            }
        }
    }
}
