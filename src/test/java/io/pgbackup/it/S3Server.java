package io.pgbackup.it;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3-compatible server for integration tests: s3proxy in this JVM, or LocalStack in a container. */
public abstract class S3Server {
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    public abstract URI endpoint();

    public abstract String accessKey();

    public abstract String secretKey();

    public String region() {
        return "us-east-1";
    }

    abstract void stop();

    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).forcePathStyle(true).region(Region.of(region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey(), secretKey())))
                .build();
    }

    /** Creates a fresh bucket and returns its name. */
    public String createBucket(String hint) {
        String name = (hint + "-" + BUCKETS.incrementAndGet()).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(name));
        }
        return name;
    }

    /** The environment pgbackup needs to use {@code bucket} on this server. */
    public Map<String, String> env(String bucket) {
        Map<String, String> env = new HashMap<>();
        env.put("S3_BUCKET", bucket);
        env.put("AWS_ENDPOINT_URL_S3", endpoint().toString());
        env.put("AWS_REGION", region());
        env.put("AWS_ACCESS_KEY_ID", accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", secretKey());
        return env;
    }
}
