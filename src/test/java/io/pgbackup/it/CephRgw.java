package io.pgbackup.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;

/**
 * Ceph's radosgw (one node, loopback, Debian's 16.2), started by {@code ../shared/ceph-rgw/up.sh}:
 * a real S3 server that enforces Object Lock and versioning, which s3proxy and S3Mock do not.
 * Without the script the tests that need it are skipped (under CI=true, which must have it: failed).
 * It ignores {@code If-None-Match}, so pgbackup runs against it with S3_CONDITIONAL_WRITES=unsafe-skip.
 */
final class CephRgw extends S3Server {
    private static CephRgw instance;
    private final Map<String, String> vars;

    private CephRgw(Map<String, String> vars) {
        this.vars = vars;
    }

    static synchronized CephRgw get() {
        if (instance == null) {
            instance = new CephRgw(start());
        }
        return instance;
    }

    private static Map<String, String> start() {
        Path up = Path.of("..", "shared", "ceph-rgw", "up.sh").toAbsolutePath().normalize();
        assumeTrue(Files.isExecutable(up), "no " + up + ": Ceph's radosgw is not available here");
        try {
            Path out = Files.createTempFile("rgw", ".env");
            Path err = Files.createTempFile("rgw", ".log");
            Process p = new ProcessBuilder(up.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("ceph-rgw/up.sh failed: " + Files.readString(err));
            }
            Map<String, String> vars = new HashMap<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("export ") && line.contains("=")) {
                    String kv = line.substring(7);
                    vars.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1).replace("'", ""));
                }
            }
            return vars;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public URI endpoint() {
        return URI.create(vars.get("RGW_ENDPOINT"));
    }

    @Override
    public String accessKey() {
        return vars.get("RGW_ACCESS_KEY");
    }

    @Override
    public String secretKey() {
        return vars.get("RGW_SECRET_KEY");
    }

    @Override
    void stop() {
        // left running: up.sh is idempotent and the next run reuses it
    }

    /** A client without the SDK's default request checksums (aws-chunked trailers), which this radosgw refuses. */
    @Override
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.of(region()))
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(accessKey(), secretKey())))
                .build();
    }

    /** A fresh bucket with Object Lock enabled (and so versioning). */
    String createLockedBucket(String hint) {
        String name = (hint + "-" + System.nanoTime()).toLowerCase(java.util.Locale.ROOT);
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(name).objectLockEnabledForBucket(true));
            s3.getObjectLockConfiguration(b -> b.bucket(name)).objectLockConfiguration().objectLockEnabled();
        }
        return name;
    }

    /** pgbackup's settings for {@code bucket}: this store ignores conditional writes and wants no aws-chunked checksums. */
    @Override
    public Map<String, String> env(String bucket) {
        Map<String, String> env = super.env(bucket);
        env.put("S3_CONDITIONAL_WRITES", "unsafe-skip");
        env.put("S3_CHECKSUMS", "when_required");
        return env;
    }

    static boolean lockEnabled(S3Client s3, String bucket) {
        return ObjectLockEnabled.ENABLED == s3.getObjectLockConfiguration(b -> b.bucket(bucket))
                .objectLockConfiguration().objectLockEnabled();
    }
}
