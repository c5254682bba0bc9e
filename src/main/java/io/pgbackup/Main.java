package io.pgbackup;

import io.pgbackup.Cancellation;
import io.pgbackup.jobs.Context;
import io.pgbackup.cli.RootCommand;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point: configures logging, turns SIGTERM/SIGINT into a {@link Cancellation}, runs the
 * command and maps every failure to one stderr line and a stable {@link ExitCode}. The only
 * place that calls {@code System.exit}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        configureLogging(env);
        Cancellation cancellation = new Cancellation();
        cancellation.hardStopAfter(shutdownGrace(env));
        installSignalHandlers(cancellation);
        int rc = run(args, new Context(env, Clock.systemUTC(), cancellation),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(rc);
    }

    /** SHUTDOWN_GRACE bounds how long a stop may take; a bad value is reported by the command that reads it. */
    private static java.time.Duration shutdownGrace(Map<String, String> env) {
        try {
            String v = env.get("SHUTDOWN_GRACE");
            return v == null || v.isBlank() ? Cancellation.DEFAULT_GRACE
                    : io.pgbackup.config.Durations.parse(v.strip());
        } catch (RuntimeException e) {
            return Cancellation.DEFAULT_GRACE;
        }
    }

    /** Runs one command line; returns the exit code. Used by tests in-process. */
    public static int run(String[] args, Context context, PrintWriter out, PrintWriter err) {
        try {
            context = new Context(SecretFiles.resolve(context.env()), context.clock(), context.cancellation());
            String format = context.env().get("LOG_FORMAT");
            if (!io.pgbackup.log.LogConfig.valid(format)) {
                throw PgBackupException.config("LOG_FORMAT must be text or json; got '" + format + "'");
            }
        } catch (PgBackupException e) {
            err.println(io.pgbackup.log.Console.format("ERROR", "pgbackup: error: " + oneLine(e.getMessage()),
                    e.exitCode().code(), e.exitCode().name()));
            err.flush();
            return e.exitCode().code();
        }
        CommandLine cl = new CommandLine(new RootCommand(context));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println(io.pgbackup.log.Console.format("ERROR", "pgbackup: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')", ExitCode.USAGE.code(),
                    ExitCode.USAGE.name()));
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            ExitCode code = ex instanceof PgBackupException p ? p.exitCode() : ExitCode.FAILURE;
            String msg = ex instanceof PgBackupException ? ex.getMessage() : "internal error: " + ex;
            if (code == ExitCode.FAILURE) {
                org.slf4j.LoggerFactory.getLogger(Main.class).debug("stack trace", ex);
            }
            err.println(io.pgbackup.log.Console.format("ERROR", "pgbackup: error: " + oneLine(msg), code.code(), code.name()));
            err.flush();
            return code.code();
        });
        return cl.execute(args);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " | ").strip();
    }

    private static void configureLogging(Map<String, String> env) {
        io.pgbackup.log.LogConfig.configure(env);
    }

    @SuppressWarnings("removal")
    private static void installSignalHandlers(Cancellation cancellation) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    io.pgbackup.log.Console.message("WARN", "pgbackup: received SIG" + name + ", stopping", null, null);
                    if (!cancellation.cancel("SIG" + name)) {
                        // Nothing running holds anything (runs that take a lock or start children
                        // register first): leave at once with the documented code.
                        System.exit(ExitCode.INTERRUPTED.code());
                    }
                    hardStop(cancellation.hardStopAfter());
                });
            } catch (IllegalArgumentException e) {
                // Signal not available on this platform: the JVM's default handling applies.
            }
        }
    }

    /**
     * Whatever the run is blocked on (a socket write to a frozen store, a database that never
     * answers), the process ends within the grace period: exit 130, and what was not cleaned up
     * (an open multipart upload, a lease) is swept by the next run. Shutdown hooks still delete
     * this run's local scratch files (passfiles).
     */
    private static void hardStop(java.time.Duration after) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(after.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            io.pgbackup.log.Console.message("ERROR", "pgbackup: error: interrupted: still stopping after the "
                    + after.toSeconds() + " s shutdown grace period (SHUTDOWN_GRACE); exiting now, the next run "
                    + "cleans up what is left", ExitCode.INTERRUPTED.code(), ExitCode.INTERRUPTED.name());
            System.exit(ExitCode.INTERRUPTED.code());
        }, "hard-stop");
        t.setDaemon(true);
        t.start();
    }
}
