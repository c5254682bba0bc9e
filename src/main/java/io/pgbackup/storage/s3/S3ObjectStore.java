package io.pgbackup.storage.s3;

import io.pgbackup.storage.Keys;
import io.pgbackup.storage.ObjectExistsException;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on S3 and S3-compatible stores (AWS, Tigris, R2, MinIO), synchronous SDK v2
 * client. Streams of unknown length are uploaded by {@link MultipartWriter} with fixed-size parts
 * and a bounded number of parts in flight, so memory is bounded by
 * {@code partSize * (partConcurrency + 1)} whatever the object size.
 */
public final class S3ObjectStore implements ObjectStore {
    private final S3Client s3;
    private final S3Settings settings;

    public S3ObjectStore(S3Settings settings) {
        this.settings = settings;
        this.s3 = buildClient(settings);
    }

    static S3Client buildClient(S3Settings s) {
        AwsCredentialsProvider creds = s.accessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKey(), s.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(16))
                .credentialsProvider(creds)
                .forcePathStyle(s.pathStyle())
                // Parts are whole byte arrays of known length: sign (http) or checksum them in one pass
                // with plain Content-Length instead of aws-chunked encoding, which allocates a buffer
                // per 128 KiB chunk and costs the server a decoding pass. Every S3-compatible store
                // accepts this form; not all accept aws-chunked (older MinIO, Ceph, R2 with checksums).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(s.checksumsWhenRequired()
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(s.checksumsWhenRequired()
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED);
        if (s.region() != null) {
            b.region(Region.of(s.region()));
        }
        if (s.endpoint() != null) {
            b.endpointOverride(s.endpoint());
        }
        return b.build();
    }

    public S3Client client() {
        return s3;
    }

    @Override
    public ObjectInfo put(String key, InputStream data) throws IOException {
        Keys.check(key);
        if (stat(key).isPresent()) {
            throw new ObjectExistsException(key); // fail before streaming; the conditional write is the real guard
        }
        try {
            return new MultipartWriter(s3, settings, key).write(data);
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409 && "ConditionalRequestConflict".equals(code(e))) {
                throw new ObjectExistsException(key);
            }
            throw io("put", key, e);
        } catch (SdkException e) {
            if (isInterrupt(e)) {
                throw new InterruptedIOException("put interrupted: " + key);
            }
            throw io("put", key, e);
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        try {
            return s3.getObject(GetObjectRequest.builder().bucket(settings.bucket()).key(Keys.check(key)).build());
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(key);
        } catch (SdkException e) {
            throw io("get", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        try {
            HeadObjectResponse r = s3.headObject(
                    HeadObjectRequest.builder().bucket(settings.bucket()).key(Keys.check(key)).build());
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw io("stat", key, e);
        } catch (SdkException e) {
            throw io("stat", key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            // The paginator follows continuation tokens: every page, not just the first 1000 keys.
            ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(prefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                out.add(new ObjectInfo(o.key(), o.size(), o.lastModified()));
            }
        } catch (SdkException e) {
            throw io("list", prefix, e);
        }
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(DeleteObjectRequest.builder().bucket(settings.bucket()).key(Keys.check(key)).build());
        } catch (NoSuchKeyException e) {
            // idempotent
        } catch (SdkException e) {
            throw io("delete", key, e);
        }
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
    }

    @Override
    public void close() {
        s3.close();
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    static boolean isInterrupt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    private static IOException io(String op, String key, SdkException e) {
        String detail = e instanceof S3Exception s3e && s3e.awsErrorDetails() != null
                ? s3e.statusCode() + " " + s3e.awsErrorDetails().errorCode() + ": " + s3e.awsErrorDetails().errorMessage()
                : e.getMessage();
        return new IOException("S3 " + op + " " + key + " failed: " + detail, e);
    }
}
