package io.pgbackup.it;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** s3proxy serving https only, with a certificate signed by the test CA ({@link TestCerts}). */
final class HttpsS3Server extends S3Server implements AutoCloseable {
    private static final String KEY = "pgbackup-tls";
    private static final String SECRET = "pgbackup-tls-secret";
    private final S3Proxy proxy;
    private final TestCerts certs;

    HttpsS3Server(TestCerts certs) throws Exception {
        this.certs = certs;
        proxy = S3Proxy.builder()
                .blobStore(new TransientNio2BlobStore())
                .secureEndpoint(URI.create("https://127.0.0.1:0"))
                .keyStore(certs.keystore.toString(), TestCerts.KEYSTORE_PASSWORD)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("s3proxy (https) did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("https://localhost:" + proxy.getSecurePort());
    }

    /** A client that trusts the test CA (for creating buckets). */
    @Override
    public software.amazon.awssdk.services.s3.S3Client client() {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            ks.load(null, null);
            try (var in = java.nio.file.Files.newInputStream(certs.caPem)) {
                ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(endpoint()).forcePathStyle(true)
                    .region(software.amazon.awssdk.regions.Region.of(region()))
                    .httpClientBuilder(software.amazon.awssdk.http.apache5.Apache5HttpClient.builder()
                            .tlsTrustManagersProvider(tmf::getTrustManagers))
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(KEY, SECRET)))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
            // ending
        }
    }

    @Override
    public void close() {
        stop();
    }
}
