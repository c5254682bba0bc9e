package io.pgbackup.storage.fs;

import io.pgbackup.storage.Keys;
import io.pgbackup.storage.ObjectChangedException;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.PendingUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
        createDirectories(dir, key);
        if (Files.exists(target)) {
            throw new ObjectExistsException(key); // fail fast; the link below is the real guard
        }
        Path tmp = tempFile(target);
        long size;
        try {
            size = writeSynced(tmp, data, key);
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
        return info(key, target);
    }

    private Path tempFile(Path target) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
    }

    /** Writes {@code data} to the new file {@code tmp} and fsyncs it; a full disk names the directory. */
    private long writeSynced(Path tmp, InputStream data, String key) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(ch);
            long size = data.transferTo(out);
            ch.force(true);
            return size;
        } catch (IOException e) {
            if (noSpace(e)) {
                throw new IOException("no space left on " + root + " (writing " + key + "): free space or use "
                        + "another --backup-dir", e);
            }
            throw e;
        }
    }

    private void createDirectories(Path dir, String key) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            if (noSpace(e)) {
                throw new IOException("no space left on " + root + " (creating the directory of " + key + ")", e);
            }
            throw e;
        }
    }

    static boolean noSpace(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    private static ObjectInfo info(String key, Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant(), version(a));
    }

    /** Every write makes a new inode (link or rename of a fresh temp file): inode, time and size name a version. */
    private static String version(BasicFileAttributes a) {
        return a.fileKey() + "-" + a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS) + "-" + a.size();
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
        return get(key, 0);
    }

    @Override
    public InputStream get(String key, long offset) throws IOException {
        try {
            FileChannel ch = FileChannel.open(path(key), StandardOpenOption.READ);
            ch.position(offset);
            return Channels.newInputStream(ch);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path p = path(key);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.isRegularFile() ? Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant(), version(a)))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public ObjectInfo replace(String key, byte[] data, String expectedVersion) throws IOException {
        Path target = path(key);
        Path dir = target.getParent();
        // Replacers of one key serialize on a hidden lock file next to it (POSIX advisory locks
        // hold across processes); under it, compare-then-rename is atomic for every reader.
        Path lockFile = dir.resolve("." + target.getFileName() + ".pgbackup-replace-lock");
        try (FileChannel lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lc.lock()) {
            Optional<ObjectInfo> now = stat(key);
            if (now.isEmpty() || !now.get().version().equals(expectedVersion)) {
                throw new ObjectChangedException(key);
            }
            Path tmp = tempFile(target);
            try {
                writeSynced(tmp, new java.io.ByteArrayInputStream(data), key);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory(dir);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return info(key, target);
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
    public List<PendingUpload> pendingUploads(String prefix) throws IOException {
        List<PendingUpload> out = new ArrayList<>();
        for (Path p : tempFiles()) {
            String name = p.getFileName().toString();
            // .pgbackup-tmp-<file name>-<uuid>: the key is the file name in the same directory.
            String file = name.length() > TEMP_PREFIX.length() + 37
                    ? name.substring(TEMP_PREFIX.length(), name.length() - 37) : name;
            String key = root.relativize(p.resolveSibling(file)).toString().replace('\\', '/');
            if (key.startsWith(prefix)) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    out.add(new PendingUpload(key, root.relativize(p).toString(), a.lastModifiedTime().toInstant(),
                            a.size()));
                } catch (NoSuchFileException e) {
                    // finished or removed meanwhile
                }
            }
        }
        out.sort(Comparator.comparing(PendingUpload::initiated));
        return out;
    }

    @Override
    public void abort(PendingUpload upload) throws IOException {
        Path p = root.resolve(upload.id()).normalize();
        if (!p.startsWith(root) || !p.getFileName().toString().startsWith(TEMP_PREFIX)) {
            throw new IllegalArgumentException("not a pending upload of this store: " + upload.id());
        }
        Files.deleteIfExists(p);
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
