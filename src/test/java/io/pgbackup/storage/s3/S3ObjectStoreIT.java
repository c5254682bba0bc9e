package io.pgbackup.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.it.S3Server;
import io.pgbackup.it.TestRig;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.ObjectStoreContract;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The contract on a real S3 server (s3proxy embedded, or LocalStack with Docker). */
class S3ObjectStoreIT extends ObjectStoreContract {
    private String bucket;

    @Override
    protected ObjectStore newStore() {
        S3Server s3 = TestRig.get().s3();
        bucket = s3.createBucket("contract");
        return new S3ObjectStore(settings(s3, bucket, false));
    }

    static S3Settings settings(S3Server s3, String bucket, boolean whenRequired) {
        return S3Settings.of(new S3Settings.Bucket(bucket, s3.endpoint(), s3.region(), true, whenRequired, null, true),
                S3Settings.Keys.of(s3.accessKey(), s3.secretKey())).with(new S3Settings.Parts(S3Settings.MIN_PART_SIZE, 2));
    }

    @Override
    protected void assertNoLeftovers(ObjectStore s) {
        S3Client client = ((S3ObjectStore) s).client();
        assertThat(client.listMultipartUploads(b -> b.bucket(bucket)).uploads())
                .as("incomplete multipart uploads").isEmpty();
    }

    @Test
    void anUploadThatWasNeverCompletedIsPendingWithItsPartsUntilAborted() throws Exception {
        S3Client client = ((S3ObjectStore) store).client();
        String id = client.createMultipartUpload(b -> b.bucket(bucket).key("prod/2026/11/27/03-00-00.dump")).uploadId();
        client.uploadPart(b -> b.bucket(bucket).key("prod/2026/11/27/03-00-00.dump").uploadId(id).partNumber(1),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(random(S3Settings.MIN_PART_SIZE, 3)));
        var pending = store.pendingUploads("prod/");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).key()).isEqualTo("prod/2026/11/27/03-00-00.dump");
        assertThat(pending.get(0).bytes()).isEqualTo(S3Settings.MIN_PART_SIZE);
        assertThat(pending.get(0).initiated()).isNotNull();
        store.abort(pending.get(0));
        assertThat(store.pendingUploads("prod/")).isEmpty();
        store.abort(pending.get(0)); // already gone: not an error
    }

    @Test
    void worksWithChecksumsWhenRequiredToo() throws Exception {
        S3Server s3 = TestRig.get().s3();
        try (S3ObjectStore plain = new S3ObjectStore(settings(s3, bucket, true))) {
            byte[] data = random(LARGE, 9);
            plain.put("checksums/when-required", unknownLength(data));
            assertThat(read(plain, "checksums/when-required")).isEqualTo(data);
            plain.put("checksums/small", unknownLength("x".getBytes(StandardCharsets.UTF_8)));
            assertThat(read(plain, "checksums/small")).containsExactly('x');
        }
    }
}
