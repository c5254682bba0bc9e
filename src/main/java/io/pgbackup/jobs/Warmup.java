package io.pgbackup.jobs;

/**
 * Start-up work done on another core. A command's first second is mostly class loading (the AWS
 * SDK, Jackson, the JDBC driver: ~5,000 classes), which one thread does serially; loading an
 * independent group on a second thread while the main thread talks to the store shortens it.
 * Best effort: a warm-up that fails changes nothing, the real use reports the error.
 */
public final class Warmup {
    private Warmup() {}

    public static void inBackground(String name, Runnable task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (RuntimeException | LinkageError e) {
                // the command itself will meet (and report) the same problem
            }
        }, "warmup-" + name);
        t.setDaemon(true);
        t.start();
    }
}
