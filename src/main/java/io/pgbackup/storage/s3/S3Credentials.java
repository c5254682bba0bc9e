package io.pgbackup.storage.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The credentials of the S3 client: the keys given (with their session token, for temporary
 * keys), or else the AWS default chain, which renews what it finds before it expires, so a run
 * of hours outlives any one set of keys: environment, web identity (EKS IRSA:
 * {@code AWS_ROLE_ARN} + {@code AWS_WEB_IDENTITY_TOKEN_FILE}, through STS), the shared config
 * and credentials files ({@code AWS_PROFILE}, role chains with {@code role_arn} and
 * {@code source_profile}), container credentials (ECS, EKS Pod Identity:
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} or {@code _RELATIVE_URI}, with
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}) and the instance profile (IMDSv2).
 */
public final class S3Credentials {
    /** "NameCredentialsProvider(...): " as the SDK lists each provider of a failed chain (arguments nest once). */
    private static final Pattern PROVIDER = Pattern.compile("(\\w+CredentialsProvider)\\((?:[^()]|\\([^()]*\\))*\\): ");

    private S3Credentials() {}

    static AwsCredentialsProvider provider(S3Settings s) {
        if (s.keys().accessKey() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(s.keys().sessionToken() == null
                ? AwsBasicCredentials.create(s.keys().accessKey(), s.keys().secretKey())
                : AwsSessionCredentials.create(s.keys().accessKey(), s.keys().secretKey(), s.keys().sessionToken()));
    }

    /**
     * Resolves the chain once, before anything runs: a chain that finds nothing fails now, naming
     * what it tried, not at the first upload.
     */
    static void check(AwsCredentialsProvider provider) {
        if (provider instanceof StaticCredentialsProvider) {
            return;
        }
        try {
            provider.resolveCredentials();
        } catch (SdkException e) {
            throw new CredentialsException(describe(String.valueOf(e.getMessage())), e);
        }
    }

    /** The SDK's chain failure as one line: each source tried and why it gave nothing. */
    static String describe(String sdkMessage) {
        List<String> tried = new ArrayList<>();
        Matcher m = PROVIDER.matcher(sdkMessage);
        List<int[]> spans = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals("SystemPropertyCredentialsProvider")) {
                continue; // Java system properties: nobody sets them for a container
            }
            int end = i + 1 < spans.size() ? spans.get(i + 1)[0] : sdkMessage.length();
            String why = sdkMessage.substring(spans.get(i)[1], end).replaceAll("[,\\]\\s.]+$", "").strip();
            tried.add(name(names.get(i)) + ": " + reason(why));
        }
        String list = tried.isEmpty() ? shorten(sdkMessage) : String.join("; ", tried);
        return "no AWS credentials found: tried " + list + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or their "
                + "_FILE forms), or give the job an identity: AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, AWS_PROFILE, "
                + "container credentials or an instance profile";
    }

    private static String name(String provider) {
        return switch (provider) {
            case "SystemPropertyCredentialsProvider" -> "Java system properties";
            case "EnvironmentVariableCredentialsProvider" -> "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)";
            case "WebIdentityTokenCredentialsProvider", "WebIdentityTokenFileCredentialsProvider" ->
                    "web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)";
            case "ProfileCredentialsProvider" -> "profile (AWS_PROFILE, ~/.aws/config and credentials)";
            case "ContainerCredentialsProvider" -> "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or "
                    + "_RELATIVE_URI)";
            case "InstanceProfileCredentialsProvider" -> "instance profile (IMDS)";
            default -> provider;
        };
    }

    /** What a source said: "not set" when it was simply not configured, else its words, shortened. */
    private static String reason(String why) {
        if (why.isEmpty() || why.contains("must be specified") || why.contains("must be set") || why.contains("neither ")
                || why.contains("Unable to load credentials from system settings")) {
            return "not set";
        }
        if (why.contains("contained no credentials for profile")) {
            return why.replaceAll(".*(no credentials for profile '[^']*').*", "$1");
        }
        return shorten(why);
    }

    private static String shorten(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 100 ? one : one.substring(0, 97) + "...";
    }

    /** No credentials: a configuration problem, with what was tried. */
    public static final class CredentialsException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CredentialsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
