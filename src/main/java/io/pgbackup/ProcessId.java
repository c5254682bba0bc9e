package io.pgbackup;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Which process on which host a lease or an in-progress marker belongs to, precisely enough to
 * tell a dead holder from a live one: a pid alone is not (a restarted container often gets the
 * same pid, and a killed process stays a zombie until it is reaped), so the process's start time
 * is part of it.
 *
 * @param processStart when the process started, to the precision the OS gives; null if unknown
 */
public record ProcessId(String host, long pid, Instant processStart) {

    private static final ProcessId SELF = new ProcessId(hostName(), ProcessHandle.current().pid(),
            ProcessHandle.current().info().startInstant().orElse(null));

    public static ProcessId self() {
        return SELF;
    }

    /** This host's name, as leases record it. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "unknown";
        }
    }

    public boolean onThisHost() {
        return SELF.host.equals(host);
    }

    /**
     * True only when we can tell for sure that this process is gone: it ran on this host, and no
     * process with its pid and start time is running (a zombie counts as gone). A process on
     * another host is never declared dead here; its lease expiry says so.
     */
    public boolean isDeadOnThisHost() {
        if (!onThisHost()) {
            return false;
        }
        if (pid == SELF.pid) {
            return processStart != null && SELF.processStart != null && !sameStart(processStart, SELF.processStart);
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive() || zombie(pid)) {
            return true;
        }
        Optional<Instant> start = h.get().info().startInstant();
        return processStart != null && start.isPresent() && !sameStart(processStart, start.get());
    }

    /** Start times come from /proc in clock ticks: compare to the second, both ways rounded. */
    private static boolean sameStart(Instant a, Instant b) {
        return Math.abs(a.toEpochMilli() - b.toEpochMilli()) < 1000;
    }

    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // "pid (comm) S ...": the state follows the last ')' (comm may contain parentheses).
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux) or the process is gone: ProcessHandle decided
        }
    }

    @Override
    public String toString() {
        return host + " pid " + pid;
    }
}
