package io.pgbackup.pg;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The PostgreSQL client programs on this machine, one {@link Toolset} per major, and which to use:
 *
 * <ul>
 *   <li><b>Backups</b> use the pg_dump of the server's own major, or the oldest newer one when that
 *       major is not installed ({@link #forDump}). Its archive is then readable by the pg_restore
 *       of that major and of every newer one, and its script loads into a server of that major.
 *   <li><b>Restores</b> use the pg_restore (or psql) closest to the target's major that can read
 *       the archive ({@link #forRestore}): the target's own when installed. Only when every
 *       program that can read it is newer than the target, and of 17 or later, does the restore
 *       go through that program's script, with the session settings the target does not know
 *       left out (pg_restore 17 and newer begin with {@code SET transaction_timeout = 0}, which
 *       16 and older refuse).
 * </ul>
 *
 * <p>Where they are: the directories of {@code PG_BIN_DIR} (one, or several separated by
 * {@code :}); else the directory of the {@code pg_dump} on {@code PATH} (unless it is Debian's
 * dispatcher) and Debian's layout {@code /usr/lib/postgresql/<major>/bin} (Debian, Ubuntu and the
 * official postgres images, whatever majors are installed), PATH's winning for its major. A
 * directory's major is the number in its path ({@code .../postgresql/17/bin}) or what its
 * programs' {@code --version} says.
 */
public final class PgTools {
    private static final Pattern MAJOR_IN_PATH = Pattern.compile(".*/(?:postgresql|pgsql)-?/?(\\d+)/bin/?");
    private static final List<String> PROGRAMS = List.of("pg_dump", "pg_restore", "psql", "pg_dumpall");

    private final Map<String, String> env;
    private final List<Path> roots;
    private volatile List<Toolset> toolsets;
    /** {@code --version} answers, asked once per program (a fork each; callers ask from several threads). */
    private final Map<Path, Optional<ToolVersion>> versions = new ConcurrentHashMap<>();

    public PgTools(Map<String, String> env) {
        this(env, List.of(Path.of("/usr/lib/postgresql")));
    }

    /** With other roots of Debian's layout ({@code <root>/<major>/bin}), for tests. */
    PgTools(Map<String, String> env, List<Path> roots) {
        this.env = env;
        this.roots = roots;
    }

    /** How to restore: with {@code tools}; {@code throughScript}: they are newer than the target (see the class doc). */
    public record Route(Toolset tools, boolean throughScript) {}

    /** Every installed major, oldest first (one directory per major: the first found wins). */
    public List<Toolset> toolsets() {
        List<Toolset> t = toolsets;
        if (t == null) {
            t = discover();
            toolsets = t;
        }
        return t;
    }

    /** The newest installed toolset, if any. */
    public Optional<Toolset> newest() {
        List<Toolset> all = toolsets();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The toolset that dumps a server of {@code server}'s major: its own, or the oldest newer one.
     * None installed at all is exit 2; none new enough is exit 4, naming what would work.
     */
    public Toolset forDump(ToolVersion server) {
        List<Toolset> all = requireAny("pg_dump");
        Optional<Integer> m = dumpMajor(majors(all), server.major());
        if (m.isEmpty()) {
            throw new PgBackupException(ExitCode.VERSION_MISMATCH, "the server runs PostgreSQL " + server
                    + " but the newest here is pg_dump " + newestVersion("pg_dump") + " (" + describe()
                    + "): pg_dump must be at least the server's major version; use the pgbackup image with "
                    + "PostgreSQL " + server.major() + "'s client tools (--build-arg PG_MAJOR=" + server.major()
                    + "), or install postgresql-client-" + server.major() + " (or set PG_BIN_DIR to its bin directory)");
        }
        return byMajor(all, m.get());
    }

    /**
     * How to restore an archive or script written by pg_dump {@code dumpMajor} into a server of
     * {@code targetMajor}. No program new enough to read it is exit 4.
     */
    public Route forRestore(int dumpMajor, int targetMajor, String what) {
        List<Toolset> all = requireAny("pg_restore");
        Optional<Route> r = route(majors(all), dumpMajor, targetMajor).map(p -> new Route(byMajor(all, p.major()),
                p.throughScript()));
        return r.orElseThrow(() -> tooOld(dumpMajor, what));
    }

    /** The oldest toolset that reads what pg_dump {@code dumpMajor} wrote (pg_restore --list), or exit 4. */
    public Toolset forArchive(int dumpMajor, String what) {
        List<Toolset> all = requireAny("pg_restore");
        return all.stream().filter(t -> t.major() >= dumpMajor).findFirst().orElseThrow(() -> tooOld(dumpMajor, what));
    }

    private PgBackupException tooOld(int dumpMajor, String what) {
        return new PgBackupException(ExitCode.VERSION_MISMATCH, what + " was written by pg_dump " + dumpMajor
                + " but the newest here is pg_restore " + newestVersion("pg_restore") + " (" + describe() + "): use "
                + "the pgbackup image with PostgreSQL " + dumpMajor + "'s client tools (or newer), or set PG_BIN_DIR to "
                + "them");
    }

    /** {@code program} of the newest installed major, if any. */
    public Optional<Path> find(String program) {
        return newest().map(t -> t.program(program)).filter(Files::isExecutable);
    }

    /** Exit 2 when {@code program} is not in {@code t}. */
    public Path require(Toolset t, String program) {
        Path p = t.program(program);
        if (!Files.isExecutable(p)) {
            throw PgBackupException.config(program + " not found in " + t.dir() + ": install the PostgreSQL "
                    + t.major() + " client (postgresql-client-" + t.major() + ", which ships pg_dump, pg_dumpall, "
                    + "pg_restore and psql) or set PG_BIN_DIR");
        }
        return p;
    }

    /** {@code program --version} of {@code t}, parsed; empty when missing or unparseable. */
    public Optional<ToolVersion> version(Toolset t, String program) {
        return versions.computeIfAbsent(t.program(program), PgTools::probe);
    }

    /** Installed majors for messages: "13, 15, 17, 18 in /usr/lib/postgresql/N/bin". */
    public String describe() {
        List<Toolset> all = toolsets();
        if (all.isEmpty()) {
            return "no client tools in " + whereToLook();
        }
        return "client tools of PostgreSQL " + all.stream().map(t -> String.valueOf(t.major()))
                .collect(Collectors.joining(", ")) + " in " + whereToLook();
    }

    public String whereToLook() {
        String dir = env.get("PG_BIN_DIR");
        if (dir != null && !dir.isBlank()) {
            return "PG_BIN_DIR=" + dir.strip();
        }
        return roots.stream().map(r -> r + "/N/bin").collect(Collectors.joining(", ")) + " or PATH";
    }

    // ---- the choices, on majors alone -------------------------------------------------------

    /** The pg_dump for a server: its own major, else the oldest newer one. */
    static Optional<Integer> dumpMajor(List<Integer> installed, int server) {
        return installed.stream().filter(m -> m >= server).min(Integer::compare);
    }

    /** A route on majors alone (see {@link Route}). */
    record MajorRoute(int major, boolean throughScript) {}

    /**
     * The newest major whose session settings every supported server knows: pg_restore 17 added
     * {@code SET transaction_timeout = 0} to what it sends first (and writes atop its scripts).
     */
    static final int LAST_WITH_PORTABLE_SETTINGS = 16;

    /** Whether what pg_restore {@code writer} sets first is known to a server of {@code target}. */
    public static boolean settingsFit(int writer, int target) {
        return writer <= target || writer <= LAST_WITH_PORTABLE_SETTINGS;
    }

    /**
     * What restores pg_dump {@code dump}'s output into {@code target}: the newest major that reads
     * it and is not newer than the target (its session settings are the target's); else the
     * oldest that reads it, straight into the target when its settings are portable, otherwise
     * through its script.
     */
    static Optional<MajorRoute> route(List<Integer> installed, int dump, int target) {
        Optional<Integer> direct = installed.stream().filter(m -> m >= dump && m <= target).max(Integer::compare);
        if (direct.isPresent()) {
            return Optional.of(new MajorRoute(direct.get(), false));
        }
        return installed.stream().filter(m -> m >= dump).min(Integer::compare)
                .map(m -> new MajorRoute(m, !settingsFit(m, target)));
    }

    // ---- discovery ----------------------------------------------------------------------------

    private List<Toolset> requireAny(String program) {
        List<Toolset> all = toolsets();
        if (all.isEmpty()) {
            throw PgBackupException.config(program + " not found in " + whereToLook() + ": install the PostgreSQL "
                    + "client (e.g. apt-get install postgresql-client) or set PG_BIN_DIR");
        }
        return all;
    }

    private String newestVersion(String program) {
        return newest().flatMap(t -> version(t, program)).map(ToolVersion::toString)
                .orElse(newest().map(t -> String.valueOf(t.major())).orElse("none"));
    }

    private static List<Integer> majors(List<Toolset> all) {
        return all.stream().map(Toolset::major).toList();
    }

    private static Toolset byMajor(List<Toolset> all, int major) {
        return all.stream().filter(t -> t.major() == major).findFirst().orElseThrow();
    }

    private List<Toolset> discover() {
        List<Path> dirs = new ArrayList<>();
        String configured = env.get("PG_BIN_DIR");
        if (configured != null && !configured.isBlank()) {
            for (String d : configured.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d.strip()));
                }
            }
        } else {
            // PATH first: a directory put there on purpose wins for its major. Debian's /usr/bin/pg_dump
            // is pg_wrapper, which picks among /usr/lib/postgresql/N/bin itself: those are listed below.
            onPath("pg_dump").or(() -> onPath("pg_restore")).or(() -> onPath("psql"))
                    .filter(p -> !isWrapper(p)).ifPresent(p -> dirs.add(p.getParent()));
            for (Path root : roots) {
                if (Files.isDirectory(root)) {
                    try (Stream<Path> children = Files.list(root)) {
                        children.map(c -> c.resolve("bin")).sorted().forEach(dirs::add);
                    } catch (IOException e) {
                        // an unreadable root holds nothing we can run
                    }
                }
            }
        }
        TreeMap<Integer, Toolset> byMajor = new TreeMap<>();
        for (Path dir : dirs) {
            if (!hasPrograms(dir)) {
                continue;
            }
            majorOf(dir).ifPresent(m -> byMajor.putIfAbsent(m, new Toolset(m, dir)));
        }
        return List.copyOf(byMajor.values());
    }

    /** Debian's postgresql-common dispatcher, not a program of one major. */
    private static boolean isWrapper(Path program) {
        try {
            return program.toRealPath().getFileName().toString().equals("pg_wrapper");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasPrograms(Path dir) {
        return PROGRAMS.stream().anyMatch(p -> Files.isExecutable(dir.resolve(p)));
    }

    private Optional<Integer> majorOf(Path dir) {
        Matcher m = MAJOR_IN_PATH.matcher(dir.toString());
        if (m.matches()) {
            return Optional.of(Integer.parseInt(m.group(1)));
        }
        for (String p : PROGRAMS) {
            if (Files.isExecutable(dir.resolve(p))) {
                Optional<ToolVersion> v = versions.computeIfAbsent(dir.resolve(p), PgTools::probe);
                if (v.isPresent()) {
                    return Optional.of(v.get().major());
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Path> onPath(String program) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<ToolVersion> probe(Path program) {
        if (!Files.isExecutable(program)) {
            return Optional.empty();
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(program.toString(), "--version").redirectErrorStream(true);
            Map<String, String> childEnv = ChildEnv.build(System.getenv(), Map.of());
            pb.environment().clear(); // no child gets a password or a key it does not need
            pb.environment().putAll(childEnv);
            Process proc = pb.start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!proc.waitFor(10, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                return Optional.empty();
            }
            return ToolVersion.parse(out.strip());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
