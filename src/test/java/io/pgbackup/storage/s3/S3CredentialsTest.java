package io.pgbackup.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A failed credentials chain as one line: what was tried and why each gave nothing. */
class S3CredentialsTest {
    /** The AWS SDK 2.57's message when the default chain finds nothing; web identity configured but refused by STS. */
    static final String SDK = "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain("
            + "credentialsProviders=[SystemPropertyCredentialsProvider(), EnvironmentVariableCredentialsProvider(), "
            + "WebIdentityTokenCredentialsProvider(), ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile("
            + "sections=[])), ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()]) : ["
            + "SystemPropertyCredentialsProvider(): Unable to load credentials from system settings. Access key must be "
            + "specified either via environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., "
            + "EnvironmentVariableCredentialsProvider(): Unable to load credentials from system settings. Access key must be "
            + "specified either via environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., "
            + "WebIdentityTokenCredentialsProvider(): bad token (Service: Sts, Status Code: 403, Request ID: 1) "
            + "(SDK Attempt Count: 1), ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])): "
            + "Profile file contained no credentials for profile 'default': ProfileFile(sections=[]), "
            + "ContainerCredentialsProvider(): Cannot fetch credentials from container - neither "
            + "AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI environment variables are set., "
            + "InstanceProfileCredentialsProvider(): Failed to load credentials from IMDS.]";

    @Test
    void namesEverySourceTriedWithWhatItSaid() {
        String line = S3Credentials.describe(SDK);
        assertThat(line).startsWith("no AWS credentials found: tried environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): "
                + "not set; web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE): bad token (Service: Sts, Status Code: "
                + "403, Request ID: 1) (SDK Attempt Count: 1); profile (AWS_PROFILE, ~/.aws/config and credentials): no "
                + "credentials for profile 'default'; container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or "
                + "_RELATIVE_URI): not set; instance profile (IMDS): Failed to load credentials from IMDS. Set "
                + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
                .doesNotContain("\n").doesNotContain("system properties");
    }

    @Test
    void anUnknownMessageIsKeptShort() {
        assertThat(S3Credentials.describe("something else went wrong")).startsWith(
                "no AWS credentials found: tried something else went wrong. Set");
    }
}
