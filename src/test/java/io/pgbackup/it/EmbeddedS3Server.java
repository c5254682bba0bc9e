package io.pgbackup.it;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** s3proxy with an in-memory backend, strict SigV4, on a free loopback port of this JVM. */
final class EmbeddedS3Server extends S3Server {
    private static final String KEY = "pgbackup-test";
    private static final String SECRET = "pgbackup-test-secret";
    private final S3Proxy proxy;

    EmbeddedS3Server() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public String accessKey() {
        return KEY;
    }

    @Override
    public String secretKey() {
        return SECRET;
    }

    @Override
    void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            // the JVM is ending
        }
    }
}
