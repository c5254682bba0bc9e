package io.pgbackup.backup.take;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.Destination;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.manifest.Manifest.StoredObject;
import io.pgbackup.pg.ChildProcess;
import io.pgbackup.pipeline.BoundedPipe;
import io.pgbackup.pipeline.DigestingInputStream;
import io.pgbackup.pipeline.Stage;
import io.pgbackup.manifest.KeyLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The streaming part of a backup: any number of child programs (pg_dump, pg_restore, pg_dumpall)
 * whose output is teed into the stdin of other children and into streams, each a chain of
 * {@link Stage}s (count, compress, encrypt) ending in one upload per {@link Destination} whose
 * bytes are counted and hashed as they go to its store (or in nothing, for a stream that only
 * measures). Every hop is bounded (OS pipes, {@link BoundedPipe}s, fixed-size upload parts), so the
 * slowest consumer sets the pace and memory stays flat.
 *
 * <p>Failure handling: the first failure wins and stops everything: children are stopped, pipes
 * are failed so uploads abort their multipart uploads, and objects that did complete are deleted.
 * A copy's failing upload stops only that copy ({@link Fanout#drop}): its uploads abort, its
 * completed objects are deleted, and the run goes on for the others.
 * A stream is finished (its stages closed, its upload given end of stream) only after its
 * producer exited 0: a killed pg_dump yields a failed pipe, never a truncated object, and never
 * a cleanly finished compressed or encrypted stream.
 */
public final class BackupRun {
    private static final int CHUNK = 64 * 1024;
    private static final int PIPE_CHUNKS = 16; // 1 MiB between a producer and its upload

    /**
     * A stream of bytes to the destinations: stages, then the key {@code key} gives in each
     * destination's layout (null: measured, not stored). {@code expected}: the size it is expected
     * to reach at most (0: unknown), which sizes its upload's parts.
     */
    record Output(String name, List<? extends Stage> stages, java.util.function.Function<KeyLayout, String> key,
            String format, String compression, long expected) {
        Output(String name, List<? extends Stage> stages, java.util.function.Function<KeyLayout, String> key,
                String format, String compression) {
            this(name, stages, key, format, compression, 0);
        }

        /** What the stored bytes are encrypted with, as the manifest records it: age when a stage encrypts. */
        String encryption() {
            return stages.stream().anyMatch(s -> s instanceof io.pgbackup.pipeline.age.AgeStage)
                    ? io.pgbackup.manifest.Manifest.Encryption.AGE : null;
        }
    }

    /** Where a producer's bytes go: into another producer's stdin, or into an output. */
    sealed interface Consumer permits ToChild, ToOutput {}

    record ToChild(String producer) implements Consumer {}

    record ToOutput(Output output) implements Consumer {}

    /** A child program; {@code counter} (may be null) counts its output for progress lines. */
    record Producer(String name, List<String> command, Map<String, String> env, List<Consumer> consumers,
            AtomicLong counter) {}

    /** The children, started in order; every {@link ToChild} names one of them. */
    record Plan(List<Producer> producers) {}

    private final Fanout fanout;
    private final List<Destination> to;
    private final Plan plan;
    private final AtomicReference<PgBackupException> failure = new AtomicReference<>();
    /** Objects that finished uploading, with their destination: deleted when the run fails. */
    private final List<Map.Entry<Destination, String>> completed = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Thread> uploaders = new CopyOnWriteArrayList<>();
    private final Map<String, ChildProcess> children = new LinkedHashMap<>();
    /** Per output, one pipe per destination, in destination order. */
    private final Map<Output, List<BoundedPipe>> pipes = new LinkedHashMap<>();
    /** Per destination, its pipes: failed together when a copy is dropped. */
    private final Map<Destination, List<BoundedPipe>> pipesOf = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Destination, Map<Output, StoredObject>> results = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean stopping;

    BackupRun(Fanout fanout, Plan plan) {
        this.fanout = fanout;
        this.to = fanout.live();
        this.plan = plan;
    }

    /**
     * Runs to completion; returns each live destination's stored objects in plan order (a copy
     * dropped on the way has none, and nothing of it is left), or throws having left nothing
     * behind in any of them.
     */
    Map<Destination, List<StoredObject>> execute(Cancellation cancellation) {
        try (Cancellation.Registration reg = cancellation.register(
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
            deleteCompleted(d -> true);
            throw f;
        }
        deleteCompleted(fanout::isDropped);
        Map<Destination, List<StoredObject>> out = new LinkedHashMap<>();
        for (Destination d : fanout.live()) {
            List<StoredObject> objects = new ArrayList<>();
            Map<Output, StoredObject> stored = results.getOrDefault(d, Map.of());
            for (Output o : outputs()) {
                StoredObject r = stored.get(o);
                if (r != null) {
                    objects.add(r);
                }
            }
            out.put(d, objects);
        }
        return out;
    }

    private List<Output> outputs() {
        List<Output> out = new ArrayList<>();
        for (Producer p : plan.producers()) {
            for (Consumer c : p.consumers()) {
                if (c instanceof ToOutput to) {
                    out.add(to.output());
                }
            }
        }
        return out;
    }

    private void start() throws IOException {
        for (Producer p : plan.producers()) {
            children.put(p.name(), ChildProcess.start(p.name(), p.command(), p.env()));
        }
        for (Output o : outputs()) {
            if (o.key() != null) {
                List<BoundedPipe> each = new ArrayList<>();
                for (Destination d : to) {
                    BoundedPipe pipe = new BoundedPipe(CHUNK, PIPE_CHUNKS);
                    each.add(pipe);
                    pipesOf.computeIfAbsent(d, x -> new CopyOnWriteArrayList<>()).add(pipe);
                    uploaders.add(spawn("upload-" + o.name(), () -> upload(o, d, pipe)));
                }
                pipes.put(o, each);
            }
        }
        for (Producer p : plan.producers()) {
            spawn("pump-" + p.name(), () -> pump(p));
        }
    }

    private Thread spawn(String name, Runnable r) {
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
        return t;
    }

    /** A producer's stdout → each consumer; the consumers are finished only after the producer exited 0. */
    private void pump(Producer p) {
        ChildProcess child = children.get(p.name());
        List<OutputStream> sinks = new ArrayList<>();
        try (InputStream in = child.stdout()) {
            for (Consumer c : p.consumers()) {
                if (c instanceof ToChild tc) {
                    sinks.add(children.get(tc.producer()).stdin());
                } else if (c instanceof ToOutput to) {
                    Output o = to.output();
                    sinks.add(Stage.chain(o.stages(), o.key() == null ? OutputStream.nullOutputStream()
                            : Tee.of(sinksOf(o))));
                }
            }
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (OutputStream s : sinks) {
                    s.write(buf, 0, n);
                }
                if (p.counter() != null) {
                    p.counter().addAndGet(n);
                }
            }
            // End of stream is only complete output if the program says so.
            int rc = child.waitFor();
            if (rc != 0) {
                fail(ExitCode.DUMP_FAILED, child.describeExit(rc), null);
                return;
            }
            for (OutputStream s : sinks) {
                s.close(); // finishes the stages (last compressed frame, final age chunk), then the pipe
            }
        } catch (IOException e) {
            settleThenFail("writing the output of " + p.name(), e);
        } catch (InterruptedException e) {
            fail(ExitCode.INTERRUPTED, "interrupted", e);
        }
    }

    /** The output's pipe into each destination; a copy's sink goes quiet once the copy is dropped. */
    private List<OutputStream> sinksOf(Output o) {
        List<OutputStream> out = new ArrayList<>();
        List<BoundedPipe> each = pipes.get(o);
        for (int i = 0; i < to.size(); i++) {
            Destination d = to.get(i);
            OutputStream sink = each.get(i).sink();
            out.add(d.required() ? sink : new Droppable(sink, () -> fanout.isDropped(d)));
        }
        return out;
    }

    private void upload(Output o, Destination d, BoundedPipe pipe) {
        DigestingInputStream in = new DigestingInputStream(pipe.source());
        String key = o.key().apply(d.layout());
        try {
            d.put(key, in, o.expected());
            completed.add(Map.entry(d, key));
            results.computeIfAbsent(d, x -> new java.util.concurrent.ConcurrentHashMap<>()).put(o,
                    new StoredObject(key, o.format(), o.compression(), in.count(), in.sha256Hex(), o.encryption()));
        } catch (IOException | RuntimeException e) {
            if (stopping) {
                return;
            }
            PgBackupException why = new PgBackupException(ExitCode.STORAGE, "upload of " + key + " to "
                    + d.store().describe() + " failed: " + e.getMessage(), e);
            if (d.required()) {
                fail(why.exitCode(), why.getMessage(), e);
            } else {
                dropCopy(d, why);
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
        List<ChildProcess> reversed = new ArrayList<>(children.values());
        java.util.Collections.reverse(reversed);
        for (ChildProcess c : reversed) {
            try {
                if (!c.isAlive() || waitExit(c)) {
                    int rc = c.waitFor();
                    if (rc != 0) {
                        fail(ExitCode.DUMP_FAILED, c.describeExit(rc), null);
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

    /**
     * First failure wins; it stops the children, fails the pipes so uploads abort, and wakes
     * upload threads that wait on the store (a retry's backoff, a free part buffer).
     */
    private void fail(ExitCode code, String message, Throwable cause) {
        if (!failure.compareAndSet(null, new PgBackupException(code, message, cause))) {
            return;
        }
        stopping = true;
        IOException why = new IOException(message);
        pipes.values().forEach(list -> list.forEach(p -> p.fail(why)));
        for (Thread t : uploaders) {
            if (t != Thread.currentThread()) {
                t.interrupt();
            }
        }
        stopChildren();
    }

    /** The copy stops here: its other uploads abort (their pipes fail), the producers write past it. */
    private void dropCopy(Destination d, PgBackupException why) {
        if (fanout.drop(d, why)) {
            org.slf4j.LoggerFactory.getLogger(BackupRun.class).warn("the copy to {} is dropped: {} (the backup goes on "
                    + "in the other store; pgbackup sync completes the copy later)", d.describe(), why.getMessage());
        }
        IOException stop = new IOException("the copy to " + d.describe() + " was dropped");
        pipesOf.getOrDefault(d, List.of()).forEach(p -> p.fail(stop));
    }

    private void stopChildren() {
        children.values().forEach(ChildProcess::stop);
    }

    private void deleteCompleted(java.util.function.Predicate<Destination> of) {
        for (Map.Entry<Destination, String> done : completed) {
            if (!of.test(done.getKey())) {
                continue;
            }
            try {
                done.getKey().store().delete(done.getValue());
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(BackupRun.class).warn("could not delete {} (a later run will): {}",
                        done.getValue(), e.getMessage());
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
