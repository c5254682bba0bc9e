package io.pgbackup.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Which S3 failures are retried, and what the operator reads about the ones that are not. */
class S3FailuresTest {
    static S3Exception s3(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    static SdkClientException client(Throwable cause) {
        return SdkClientException.builder().message("Unable to execute HTTP request: " + cause.getMessage()).cause(cause)
                .build();
    }

    @Test
    void busyStoresAndBrokenConnectionsAreTransient() {
        assertThat(S3Failures.isTransient(s3(503, "SlowDown", "Please reduce your request rate."))).isTrue();
        assertThat(S3Failures.isTransient(s3(500, "InternalError", "We encountered an internal error"))).isTrue();
        assertThat(S3Failures.isTransient(s3(502, null, null))).isTrue();
        assertThat(S3Failures.isTransient(s3(429, "TooManyRequests", null))).isTrue();
        assertThat(S3Failures.isTransient(s3(400, "RequestTimeout", "Your socket connection was not read"))).isTrue();
        assertThat(S3Failures.isTransient(client(new SocketException("Connection reset")))).isTrue();
        assertThat(S3Failures.isTransient(client(new ConnectException("Connection refused")))).isTrue();
        assertThat(S3Failures.isTransient(client(new SocketTimeoutException("Read timed out")))).isTrue();
        assertThat(S3Failures.isTransient(ApiCallAttemptTimeoutException.builder().message("attempt").build())).isTrue();
        assertThat(S3Failures.isTransient(new SocketException("Connection reset"))).as("mid-body").isTrue();
    }

    @Test
    void credentialsPoliciesMissingBucketsAndConfigurationArePermanent() {
        assertThat(S3Failures.isTransient(s3(403, "AccessDenied", "Access Denied"))).isFalse();
        assertThat(S3Failures.isTransient(s3(403, "SignatureDoesNotMatch", null))).isFalse();
        assertThat(S3Failures.isTransient(s3(404, "NoSuchBucket", "The specified bucket does not exist"))).isFalse();
        assertThat(S3Failures.isTransient(s3(400, "InvalidRequest", "bad"))).isFalse();
        assertThat(S3Failures.isTransient(s3(412, "PreconditionFailed", null))).isFalse();
        assertThat(S3Failures.isTransient(s3(501, "NotImplemented", "A header you provided implies functionality that "
                + "is not implemented."))).as("a store without the feature: asking again changes nothing").isFalse();
        assertThat(S3Failures.isTransient(client(new UnknownHostException("no-such-host")))).isFalse();
        assertThat(S3Failures.isTransient(client(new SSLHandshakeException("PKIX path building failed")))).isFalse();
        assertThat(S3Failures.isTransient(AbortedException.builder().build())).as("interrupted").isFalse();
        assertThat(S3Failures.isTransient(new io.pgbackup.storage.ObjectNotFoundException("k"))).isFalse();
    }

    @Test
    void messagesUseTheStoresWordsAndSayWhatToChange() {
        assertThat(S3Failures.translate("put", "p/k", "b", s3(403, "AccessDenied", null)).getMessage())
                .isEqualTo("S3 put p/k failed: 403 AccessDenied: access denied: check the credentials "
                        + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the bucket policy")
                .doesNotContain("null");
        assertThat(S3Failures.translate("list", "", "backups", s3(404, "NoSuchBucket", "The specified bucket does not exist"))
                .getMessage()).isEqualTo("S3 list failed: 404 NoSuchBucket: The specified bucket does not exist: the bucket "
                        + "'backups' does not exist: create it or fix S3_BUCKET");
        assertThat(S3Failures.translate("complete upload", "k", "b", s3(400, "BadRequest",
                "The upload was created using a crc32 checksum. The complete request must include the checksum for each part."))
                .getMessage()).contains("S3_CHECKSUMS=when_required");
        assertThat(S3Failures.translate("get", "k", "b", client(new UnknownHostException("bucket.nowhere"))).getMessage())
                .contains("unknown host bucket.nowhere").contains("AWS_ENDPOINT_URL_S3");
        assertThat(S3Failures.translate("get", "k", "b", client(new SSLHandshakeException("PKIX path building failed")))
                .getMessage()).contains("not trusted").contains("AWS_CA_BUNDLE");
    }

    @Test
    void anErrorWithoutACodeLikeAHeadsIsPermanentAndExpiredTokensSaySo() {
        // HEAD answers carry no error body: no code at all (this used to throw a NullPointerException)
        assertThat(S3Failures.isTransient(s3(400, null, null))).isFalse();
        assertThat(S3Failures.translate("stat", "k", "b", s3(400, "ExpiredToken", "The provided token has expired."))
                .getMessage()).contains("400 ExpiredToken", "session token", "AWS_SESSION_TOKEN");
    }
}
