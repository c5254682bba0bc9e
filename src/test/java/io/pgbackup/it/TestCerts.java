package io.pgbackup.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Self-signed test PKI made with the openssl CLI: a CA and a server certificate it signed for
 * {@code localhost} and {@code 127.0.0.1}, as PEM files (Postgres, AWS_CA_BUNDLE) and as a PKCS12
 * keystore (s3proxy). A second, unrelated CA is the "wrong CA" of the failure tests.
 */
public final class TestCerts {
    public static final String KEYSTORE_PASSWORD = "changeit";
    public final Path dir;
    public final Path caPem;
    public final Path serverCrt;
    public final Path serverKey;
    public final Path keystore;
    public final Path otherCaPem;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.serverCrt = dir.resolve("server.crt");
        this.serverKey = dir.resolve("server.key");
        this.keystore = dir.resolve("server.p12");
        this.otherCaPem = dir.resolve("other-ca.pem");
    }

    private static TestCerts instance;

    public static synchronized TestCerts get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("pgbackup-certs");
            TestCerts c = new TestCerts(dir);
            Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
            run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                    "-days", "3650", "-subj", "/CN=pgbackup test CA");
            run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                    "-subj", "/CN=localhost");
            run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", "server.crt", "-days", "3650", "-extfile", "san.ext");
            run(dir, "openssl", "pkcs12", "-export", "-in", "server.crt", "-inkey", "server.key", "-certfile", "ca.pem",
                    "-out", "server.p12", "-passout", "pass:" + KEYSTORE_PASSWORD, "-name", "server");
            run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out",
                    "other-ca.pem", "-days", "3650", "-subj", "/CN=some other CA");
            Files.setPosixFilePermissions(c.serverKey, PosixFilePermissions.fromString("rw-------"));
            instance = c;
        }
        return instance;
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
