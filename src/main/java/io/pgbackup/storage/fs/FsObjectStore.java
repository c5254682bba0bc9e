package io.pgbackup.storage.fs;

import io.pgbackup.storage.Keys;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} in a local directory: key {@code a/b/c.dump} is file
 * {@code <root>/a/b/c.dump}. Writes go to a hidden temp file in the target directory, are
 * fsynced, then published with a hard link, which (unlike rename) fails when the name exists:
 * that is what makes put never-overwrite and atomic. Temp files (dot-files) are never listed.
 */
public final class FsObjectStore implements ObjectStore {
    private static final String TEMP_PREFIX = ".pgbackup-tmp-";
    private final Path root;

    public FsObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    private Path path(String key) {
        return root.resolve(Keys.check(key));
    }

    @Override
    public ObjectInfo put(String key, InputStream data) throws IOException {
        Path target = path(key);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        if (Files.exists(target)) {
            throw new ObjectExistsException(key); // fail fast; the link below is the real guard
        }
        Path tmp = dir.resolve(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
        long size;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                size = data.transferTo(out);
                ch.force(true);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("put interrupted: " + key);
            }
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                throw new ObjectExistsException(key);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new ObjectInfo(key, size, Files.getLastModifiedTime(target).toInstant());
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse to open directories for fsync; the data file itself is synced.
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        try {
            return Files.newInputStream(path(key));
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path p = path(key);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.isRegularFile()
                    ? Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        // Walk only the deepest directory the prefix names, not the whole tree.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<ObjectInfo> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (!a.isRegularFile()) {
                    continue;
                }
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.startsWith(prefix)) {
                    out.add(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
                }
            }
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    /** Temp files left by writers that were killed (SIGKILL leaves no chance to clean up). */
    public List<Path> tempFiles() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
