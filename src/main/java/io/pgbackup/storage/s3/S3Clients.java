package io.pgbackup.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Builds the SDK client from {@link S3Settings}: timeouts on every call, no SDK retries (ours are). */
final class S3Clients {
    private S3Clients() {}

    static S3Client build(S3Settings s) {
        AwsCredentialsProvider creds = S3Credentials.provider(s);
        S3Credentials.check(creds);
        Duration timeout = s.timeouts().timeout();
        Duration connect = timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
        Apache5HttpClient.Builder http = Apache5HttpClient.builder()
                .maxConnections(32)
                .connectionTimeout(connect)
                .socketTimeout(timeout)
                .connectionAcquisitionTimeout(timeout)
                .tcpKeepAlive(true);
        if (s.where().caBundle() != null) {
            TrustManager[] trust = trustManagers(s);
            http.tlsTrustManagersProvider(() -> trust);
        }
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(http)
                .credentialsProvider(creds)
                .forcePathStyle(s.where().pathStyle())
                // RetryPolicy (ours) retries every request with backoff for S3_RETRY_FOR; SDK retries
                // underneath would multiply the attempts and hide them from the log.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(timeout))
                // Parts are whole byte arrays of known length: sign (http) or checksum them in one pass
                // with plain Content-Length instead of aws-chunked encoding, which allocates a buffer
                // per 128 KiB chunk and costs the server a decoding pass. Every S3-compatible store
                // accepts this form; not all accept aws-chunked (older MinIO, Ceph, R2 with checksums).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(s.where().checksumsWhenRequired()
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(s.where().checksumsWhenRequired()
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED);
        if (s.where().region() != null) {
            b.region(Region.of(s.where().region()));
        }
        if (s.where().endpoint() != null) {
            b.endpointOverride(s.where().endpoint());
        }
        return b.build();
    }

    /** Trust exactly the certificates of the bundle, as the AWS CLI does with AWS_CA_BUNDLE. */
    static TrustManager[] trustManagers(S3Settings s) {
        try (InputStream in = Files.newInputStream(s.where().caBundle())) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("AWS_CA_BUNDLE " + s.where().caBundle() + " holds no PEM certificate");
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("AWS_CA_BUNDLE " + s.where().caBundle() + " is not a readable PEM bundle: "
                    + e.getMessage(), e);
        }
    }
}
