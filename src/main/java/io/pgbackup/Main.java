package io.pgbackup;

import io.pgbackup.backup.Cancellation;
import io.pgbackup.cli.Context;
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
        configureLogging(System.getenv());
        Cancellation cancellation = new Cancellation();
        installSignalHandlers(cancellation);
        int rc = run(args, new Context(System.getenv(), Clock.systemUTC(), cancellation),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(rc);
    }

    /** Runs one command line; returns the exit code. Used by tests in-process. */
    public static int run(String[] args, Context context, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new RootCommand(context));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("pgbackup: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            ExitCode code = ex instanceof PgBackupException p ? p.exitCode() : ExitCode.FAILURE;
            String msg = ex instanceof PgBackupException ? ex.getMessage() : "internal error: " + ex;
            if (code == ExitCode.FAILURE) {
                org.slf4j.LoggerFactory.getLogger(Main.class).debug("stack trace", ex);
            }
            err.println("pgbackup: error: " + oneLine(msg));
            err.flush();
            return code.code();
        });
        return cl.execute(args);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " | ").strip();
    }

    private static void configureLogging(Map<String, String> env) {
        String level = env.getOrDefault("LOG_LEVEL", "info");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.log.software.amazon", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.http", "warn");
    }

    @SuppressWarnings("removal")
    private static void installSignalHandlers(Cancellation cancellation) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    System.err.println("pgbackup: received SIG" + name + ", stopping");
                    if (!cancellation.cancel("SIG" + name)) {
                        // Nothing to clean up: leave at once with the documented code.
                        System.exit(ExitCode.INTERRUPTED.code());
                    }
                });
            } catch (IllegalArgumentException e) {
                // Signal not available on this platform: the JVM's default handling applies.
            }
        }
    }
}
