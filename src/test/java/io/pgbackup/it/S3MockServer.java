package io.pgbackup.it;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Adobe S3Mock 5.2.0, a second S3 implementation, run as a process (its exec jar is copied to
 * target by the build). Known differences from AWS that matter to pgbackup (found by probing it):
 * conditional writes are check-then-write (racing writers can both win, so pgbackup's store probe
 * refuses it unless S3_CONDITIONAL_WRITES=unsafe-skip), part checksums are not echoed, an abort
 * deletes a completed object of the same key, and credentials are not checked.
 */
public final class S3MockServer extends S3Server {
    private static S3MockServer instance;
    private final Process process;
    private final int port;
    private final Path root;

    private S3MockServer() throws Exception {
        Path jar = Path.of(System.getProperty("pgbackup.test.s3mock", "target/pg-binaries/s3mock.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no S3Mock jar at " + jar + "; the build copies it (maven-dependency-plugin)");
        }
        port = freePort();
        int https = freePort();
        root = Files.createTempDirectory("s3mock");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "--http.port=" + port, "--server.port=" + https,
                "--spring.main.lazy-initialization=false", "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolveSibling(root.getFileName() + ".log").toFile());
        pb.environment().put("COM_ADOBE_TESTING_S3MOCK_STORE_ROOT", root.toString());
        process = pb.start();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("S3Mock did not start; see " + root + ".log");
            }
            Thread.sleep(100);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    public static synchronized S3MockServer get() {
        if (instance == null) {
            try {
                instance = new S3MockServer();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start S3Mock: " + e, e);
            }
        }
        return instance;
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint().resolve("/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public String accessKey() {
        return "s3mock-any-key";
    }

    @Override
    public String secretKey() {
        return "s3mock-any-secret";
    }

    @Override
    void stop() {
        process.destroy();
    }
}
