package io.pgbackup.storage.s3;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What an S3 failure means: whether it is worth retrying (the store is busy or the network
 * blinked) or permanent (credentials, policy, a missing bucket, a bad request), and a one-line
 * message in the store's own words plus what to change where we know it.
 */
final class S3Failures {
    /** Error codes some stores send with 400/403 that are in fact transient. */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "RequestTimeout", "InternalError",
            "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestThrottled");

    private S3Failures() {}

    /** An S3 call that failed, translated; {@link #isTransient} tells the retry policy. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean transientError;
        private final int status;
        private final String code;

        Failure(String message, Throwable cause, boolean transientError, int status, String code) {
            super(message, cause);
            this.transientError = transientError;
            this.status = status;
            this.code = code;
        }

        boolean isTransient() {
            return transientError;
        }

        int status() {
            return status;
        }

        String code() {
            return code;
        }
    }

    /** The retry policy's classifier for everything an S3 call or a download stream can throw. */
    static boolean isTransient(Throwable t) {
        if (t instanceof io.pgbackup.storage.ObjectNotFoundException || t instanceof io.pgbackup.storage.ObjectExistsException
                || t instanceof io.pgbackup.storage.ObjectChangedException) {
            return false;
        }
        if (t instanceof Failure f) {
            return f.isTransient();
        }
        if (t instanceof SdkException e) {
            return transientSdk(e);
        }
        return t instanceof IOException io && transientIo(io);
    }

    private static boolean transientSdk(SdkException e) {
        if (e instanceof AbortedException) {
            return false; // interrupted: we are stopping
        }
        if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException) {
            return true;
        }
        if (e instanceof S3Exception s3) {
            int st = s3.statusCode();
            String code = code(s3); // null for a HEAD, whose error has no body
            // 501 Not Implemented says what the store cannot do: asking again changes nothing.
            return st >= 500 && st != 501 || st == 429 || st == 408 || code != null && TRANSIENT_CODES.contains(code);
        }
        if (e instanceof SdkClientException) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof IOException io) {
                    return transientIo(io);
                }
            }
            String m = String.valueOf(e.getMessage());
            return m.contains("Unable to execute HTTP request") || m.contains("timed out");
        }
        return false;
    }

    private static boolean transientIo(IOException io) {
        for (Throwable c = io; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof SSLHandshakeException) {
                return false; // configuration, not weather
            }
            if (c instanceof SSLException && String.valueOf(c.getMessage()).contains("PKIX")) {
                return false;
            }
        }
        if (io instanceof InterruptedIOException && !(io instanceof SocketTimeoutException)) {
            return false;
        }
        return true; // resets, refused connections, timeouts, truncated bodies
    }

    static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** Translates an SDK failure of {@code op} on {@code key} into an IOException with the store's words. */
    static Failure translate(String op, String key, String bucket, SdkException e) {
        String where = key == null || key.isEmpty() ? "" : " " + key;
        if (e instanceof S3Exception s3) {
            int st = s3.statusCode();
            String code = code(s3);
            String text = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorMessage();
            String detail = st + (code != null ? " " + code : "") + (text != null && !text.isBlank() ? ": " + text : "");
            String hint = "";
            if (st == 403) {
                hint = ": access denied: check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the "
                        + "bucket policy";
                detail = st + (code != null ? " " + code : "") + (text != null && !text.isBlank() && !"null".equals(text)
                        ? " (" + text + ")" : "");
            } else if ("ExpiredToken".equals(code) || "InvalidToken".equals(code) || "TokenRefreshRequired".equals(code)) {
                hint = ": the session token of the credentials expired or is not valid: check AWS_SESSION_TOKEN, or the "
                        + "identity that issues them";
            } else if ("NoSuchBucket".equals(code) || st == 404 && op.startsWith("list")) {
                hint = ": the bucket '" + bucket + "' does not exist: create it or fix S3_BUCKET";
            } else if (mentionsChecksum(code, text)) {
                hint = ": the store rejects the checksums the AWS SDK sends; set S3_CHECKSUMS=when_required";
            }
            return new Failure("S3 " + op + where + " failed: " + detail + hint, e, transientSdk(e), st, code);
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return new Failure("S3 " + op + where + " failed: unknown host " + c.getMessage()
                        + ": check the endpoint (AWS_ENDPOINT_URL_S3)", e, false, 0, null);
            }
            if (c instanceof SSLHandshakeException || c instanceof SSLException
                    && String.valueOf(c.getMessage()).contains("PKIX")) {
                return new Failure("S3 " + op + where + " failed: TLS: the endpoint's certificate is not trusted ("
                        + firstLine(c.getMessage()) + "): give its CA in AWS_CA_BUNDLE", e, false, 0, null);
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return new Failure("S3 " + op + where + " failed: cannot connect to the store: " + c.getMessage(), e,
                        true, 0, null);
            }
            if (c instanceof SocketTimeoutException) {
                return new Failure("S3 " + op + where + " failed: the store did not answer in time (S3_TIMEOUT): "
                        + c.getMessage(), e, true, 0, null);
            }
            if (c instanceof SocketException) {
                return new Failure("S3 " + op + where + " failed: " + c.getMessage(), e, true, 0, null);
            }
        }
        if (e instanceof ApiCallAttemptTimeoutException) {
            return new Failure("S3 " + op + where + " failed: the request did not finish within its time limit "
                    + "(S3_TIMEOUT)", e, true, 0, null);
        }
        return new Failure("S3 " + op + where + " failed: " + firstLine(e.getMessage()), e, transientSdk(e), 0, null);
    }

    private static boolean mentionsChecksum(String code, String text) {
        String s = (code + " " + text).toLowerCase(Locale.ROOT);
        return s.contains("checksum") || s.contains("baddigest") || s.contains("x-amz-sdk-checksum");
    }

    static boolean isPreconditionFailed(S3Exception e) {
        return e.statusCode() == 412 || e.statusCode() == 409 && "ConditionalRequestConflict".equals(code(e));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
