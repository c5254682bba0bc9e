package io.pgbackup.backup;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest.StoredObject;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pipeline.BoundedPipe;
import io.pgbackup.pipeline.DigestingInputStream;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The streaming part of one backup: a single pg_dump (custom format, stdout) teed into the
 * {@code .dump} upload and into {@code pg_restore --file=-}, whose SQL output is compressed into
 * the second upload. Every hop is bounded (OS pipes, {@link BoundedPipe}s, fixed-size upload
 * parts), so the slowest consumer sets the pace and memory stays flat.
 *
 * <p>Failure handling: the first failure wins and stops everything: children are stopped, pipes
 * are failed so uploads abort their multipart uploads, and objects that did complete are deleted.
 * An upload reaches end of stream only after its producer exited 0: a killed pg_dump yields a
 * failed pipe, never a truncated object.
 */
final class BackupRun {
    private static final int CHUNK = 64 * 1024;
    private static final int PIPE_CHUNKS = 16; // 1 MiB between a producer and its upload

    record Plan(List<String> dumpCommand, List<String> restoreCommand, Map<String, String> env,
            String dumpKey, String dumpCompression, String sqlKey, SqlCompression sqlCompression) {}

    private final ObjectStore store;
    private final Plan plan;
    private final Progress progress;
    private final AtomicReference<PgBackupException> failure = new AtomicReference<>();
    private final List<String> completed = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final BoundedPipe dumpPipe = new BoundedPipe(CHUNK, PIPE_CHUNKS);
    private final BoundedPipe sqlPipe = new BoundedPipe(CHUNK, PIPE_CHUNKS);
    private final StoredObject[] results = new StoredObject[2];
    private volatile boolean stopping;
    private ChildProcess dump;
    private ChildProcess restore;

    BackupRun(ObjectStore store, Plan plan, Progress progress) {
        this.store = store;
        this.plan = plan;
        this.progress = progress;
    }

    /** Runs to completion; returns the stored objects, or throws having left nothing behind. */
    List<StoredObject> execute(Cancellation cancellation) {
        try (AutoCloseable reg = cancellation.register(
                why -> fail(ExitCode.INTERRUPTED, "interrupted by " + why + ": backup aborted, nothing stored", null))) {
            start();
            for (Thread t : threads) {
                t.join();
            }
        } catch (Exception e) {
            fail(ExitCode.FAILURE, "backup failed: " + e, e);
            threads.forEach(this::joinQuietly);
        }
        PgBackupException f = failure.get();
        if (f != null) {
            stopChildren();
            deleteCompleted();
            throw f;
        }
        List<StoredObject> out = new ArrayList<>();
        for (StoredObject o : results) {
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    private void start() throws IOException {
        dump = ChildProcess.start("pg_dump", plan.dumpCommand(), plan.env());
        if (plan.sqlKey() != null) {
            restore = ChildProcess.start("pg_restore", plan.restoreCommand(), plan.env());
            spawn("sql-compress", this::compressSql);
            spawn("upload-sql", () -> upload(plan.sqlKey(), sqlPipe, 1, "plain", plan.sqlCompression().label()));
        }
        if (plan.dumpKey() != null) {
            spawn("upload-dump", () -> upload(plan.dumpKey(), dumpPipe, 0, "custom", plan.dumpCompression()));
        }
        spawn("pump", this::pump);
    }

    private void spawn(String name, Runnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (OutOfMemoryError e) {
                // Upload buffers are the big consumer: name the knobs, not just the symptom.
                fail(ExitCode.FAILURE, "out of memory in " + name + ": give the JVM more heap (JAVA_OPTS=-Xmx...) "
                        + "or lower --part-size / --part-concurrency", e);
            } catch (RuntimeException | Error e) {
                fail(ExitCode.FAILURE, name + " failed: " + e, e);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** pg_dump's stdout → pg_restore's stdin and the .dump upload. */
    private void pump() {
        OutputStream toDump = plan.dumpKey() != null ? dumpPipe.sink() : null;
        OutputStream toRestore = restore != null ? restore.stdin() : null;
        byte[] buf = new byte[CHUNK];
        try (InputStream in = dump.stdout()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (toRestore != null) {
                    toRestore.write(buf, 0, n);
                }
                if (toDump != null) {
                    toDump.write(buf, 0, n);
                }
                progress.archiveBytes.addAndGet(n);
            }
            // End of stream is only a complete archive if pg_dump says so.
            int rc = dump.waitFor();
            if (rc != 0) {
                fail(ExitCode.DUMP_FAILED, exitMessage(dump, rc), null);
                return;
            }
            if (toRestore != null) {
                toRestore.close();
            }
            if (toDump != null) {
                toDump.close();
            }
        } catch (IOException e) {
            settleThenFail("reading pg_dump's output", e);
        } catch (InterruptedException e) {
            fail(ExitCode.INTERRUPTED, "interrupted", e);
        }
    }

    /** pg_restore's SQL → compression → the SQL upload. */
    private void compressSql() {
        byte[] buf = new byte[CHUNK];
        try (InputStream in = restore.stdout()) {
            OutputStream z = plan.sqlCompression().compress(sqlPipe.sink());
            int n;
            while ((n = in.read(buf)) > 0) {
                z.write(buf, 0, n);
                progress.sqlBytes.addAndGet(n);
            }
            int rc = restore.waitFor();
            if (rc != 0) {
                fail(ExitCode.DUMP_FAILED, exitMessage(restore, rc), null);
                return;
            }
            z.close(); // ends the compressed frame, then the pipe: the upload may complete now
        } catch (IOException e) {
            settleThenFail("writing the SQL script", e);
        } catch (InterruptedException e) {
            fail(ExitCode.INTERRUPTED, "interrupted", e);
        }
    }

    private void upload(String key, BoundedPipe pipe, int slot, String format, String compression) {
        DigestingInputStream in = new DigestingInputStream(pipe.source());
        try {
            store.put(key, in);
            completed.add(key);
            results[slot] = new StoredObject(key, format, compression, in.count(), in.sha256Hex());
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                fail(ExitCode.STORAGE, "upload of " + key + " to " + store.describe() + " failed: " + e.getMessage(), e);
            }
        } finally {
            try {
                in.close();
            } catch (IOException e) {
                // nothing to do: the pipe has no resources of its own
            }
        }
    }

    /**
     * A broken pipe is usually a symptom: give the children a moment to exit so the message
     * names the real cause (pg_restore rejecting its input, pg_dump dying) instead of EPIPE.
     */
    private void settleThenFail(String what, IOException e) {
        if (stopping) {
            return;
        }
        for (ChildProcess c : new ChildProcess[] {restore, dump}) {
            if (c == null) {
                continue;
            }
            try {
                if (!c.isAlive() || waitExit(c)) {
                    int rc = c.waitFor();
                    if (rc != 0) {
                        fail(ExitCode.DUMP_FAILED, exitMessage(c, rc), null);
                        return;
                    }
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        fail(ExitCode.FAILURE, "backup failed while " + what + ": " + e.getMessage(), e);
    }

    private static boolean waitExit(ChildProcess c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (c.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return !c.isAlive();
    }

    static String exitMessage(ChildProcess c, int rc) {
        String how = rc > 128 && rc < 160 ? "was killed by signal " + (rc - 128) : "exited with code " + rc;
        String tail = c.stderrTail();
        return c.name() + " " + how + (tail.isEmpty() ? "" : ": " + tail);
    }

    /** First failure wins; it stops the children and fails the pipes so uploads abort. */
    private void fail(ExitCode code, String message, Throwable cause) {
        if (!failure.compareAndSet(null, new PgBackupException(code, message, cause))) {
            return;
        }
        stopping = true;
        IOException why = new IOException(message);
        dumpPipe.fail(why);
        sqlPipe.fail(why);
        stopChildren();
    }

    private void stopChildren() {
        if (dump != null) {
            dump.stop();
        }
        if (restore != null) {
            restore.stop();
        }
    }

    private void deleteCompleted() {
        for (String key : completed) {
            try {
                store.delete(key);
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(BackupRun.class).warn("could not delete {}: {}", key, e.getMessage());
            }
        }
    }

    private void joinQuietly(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
