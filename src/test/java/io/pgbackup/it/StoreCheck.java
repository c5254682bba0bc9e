package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * What the fault tests assert about a bucket after a failure: its objects by SHA-256 (earlier
 * backups intact, no manifest of the failed run), no pending multipart upload, no in-progress
 * marker, and no secret in a run's output.
 */
final class StoreCheck {
    private final String bucket;

    StoreCheck(String bucket) {
        this.bucket = bucket;
    }

    /** key → sha256 of every object in the bucket. */
    Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            for (ObjectInfo o : store.list("")) {
                try (InputStream in = store.get(o.key())) {
                    out.put(o.key(), BackupIT.sha256(in));
                }
            }
        }
        return out;
    }

    List<MultipartUpload> pendingUploads() {
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            return store.client().listMultipartUploads(b -> b.bucket(bucket)).uploads();
        }
    }

    long manifests() throws Exception {
        return snapshot().keySet().stream().filter(k -> k.matches(".*/\\d{2}-\\d{2}-\\d{2}(-\\d+)?\\.json")).count();
    }

    /** Everything as before, nothing pending, no marker. */
    void assertUnchanged(Map<String, String> earlier) throws Exception {
        assertThat(snapshot()).as("objects in the bucket (earlier backups intact, nothing of the failed run)")
                .isEqualTo(earlier);
        assertThat(pendingUploads()).as("pending multipart uploads").isEmpty();
    }

    void assertClean() throws Exception {
        assertThat(pendingUploads()).as("pending multipart uploads").isEmpty();
        assertThat(snapshot().keySet()).as("in-progress markers").noneMatch(k -> k.endsWith(".inprogress"));
    }

    static void assertOneLine(Cli.Result r) {
        String[] errorLines = r.err().lines().filter(l -> l.startsWith("pgbackup: error:")).toArray(String[]::new);
        assertThat(errorLines).as("one error line in " + r.err()).hasSize(1);
    }

    /** Neither the database password nor the S3 secret in any form. */
    static void assertNoSecrets(Cli.Result r, String... more) {
        String all = r.all();
        assertThat(all).doesNotContain(PgServer.PASSWORD)
                .doesNotContain(URLEncoder.encode(PgServer.PASSWORD, StandardCharsets.UTF_8));
        String s3Secret = TestRig.get().s3().secretKey();
        if (s3Secret.length() >= 8) { // LocalStack's is "test", a word any message may hold
            assertThat(all).doesNotContain(s3Secret);
        }
        for (String m : more) {
            assertThat(all).doesNotContain(m);
        }
    }
}
