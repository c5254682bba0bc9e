package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud identities instead of keys, each from a stub on loopback (the SDK's own endpoint
 * overrides) handing out credentials valid for a few seconds, in front of a store that refuses
 * expired or unknown session tokens: web identity (EKS IRSA, through STS), container credentials
 * (ECS, EKS Pod Identity) and the instance profile (IMDSv2) each carry a backup that outlasts its
 * first credentials, so it only succeeds when they are renewed; a profile role chain assumes its
 * role; temporary keys with AWS_SESSION_TOKEN sign with it; and a chain that finds nothing is
 * exit 2 naming what it tried. The real jar runs in a child JVM with exactly the environment
 * given (the SDK reads the process environment).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CredentialsIT {
    static final Duration LIFETIME = Duration.ofSeconds(6);
    private static final Pattern TOKEN = Pattern.compile("(?im)^x-amz-security-token:\\s*(\\S+)\\s*$");
    private String db;
    private FaultProxy proxy;
    private CredentialStub stub;
    private final Set<String> tokensSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    void database() throws Exception {
        PgServer pg = TestRig.get().postgres();
        db = pg.createDatabase("creds");
        // ~4 MB of hex: with the store reading at 256 KB/s the backup takes longer than a credential lives
        pg.exec(db, "create table t as select g as id, md5(g::text) || md5((g * 7)::text) as v "
                + "from generate_series(1, 60000) g");
    }

    @AfterAll
    void drop() throws Exception {
        TestRig.get().postgres().dropDatabase(db);
    }

    @BeforeEach
    void store() throws Exception {
        S3Server s3 = TestRig.get().s3();
        stub = new CredentialStub(s3.accessKey(), s3.secretKey(), LIFETIME, "Bearer pod-identity-token");
        proxy = new FaultProxy(s3.endpoint());
        // Like S3 itself: a request signed with an expired or unknown session token is refused.
        proxy.gate(head -> {
            Matcher m = TOKEN.matcher(head);
            if (!m.find()) {
                return null; // the test's own requests
            }
            tokensSeen.add(m.group(1));
            if (!stub.valid(m.group(1))) {
                refused.add(m.group(1));
                return new FaultProxy.Status(400, "ExpiredToken");
            }
            return null;
        });
        proxy.on("PUT", ".*", new FaultProxy.SlowRead(256 * 1024), -1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        stub.close();
        tokensSeen.clear();
        refused.clear();
    }

    private Map<String, String> env(String bucket) {
        S3Server s3 = TestRig.get().s3();
        Map<String, String> env = Cli.baseEnv();
        env.put("S3_BUCKET", bucket);
        env.put("AWS_ENDPOINT_URL_S3", proxy.endpoint().toString());
        env.put("AWS_REGION", s3.region());
        env.put("PG_URI", TestRig.get().postgres().uri(db));
        env.put("S3_CONDITIONAL_WRITES", "unsafe-skip"); // the probe's requests are not what is tested here
        return env;
    }

    /** A backup that outlives its first credentials succeeds: they were renewed, and no expired one was used. */
    private void backupOutlastsItsCredentials(Map<String, String> env, String source) throws Exception {
        long t0 = System.nanoTime();
        Cli.Result r = Cli.runJar(env, "backup");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(took).as("the backup outlasts one set of credentials").isGreaterThan(LIFETIME.plusSeconds(2));
        assertThat(stub.calls()).as("credentials from " + source).filteredOn(c -> c.startsWith(source)).hasSizeGreaterThan(1)
                .allMatch(c -> !c.contains("refused"));
        assertThat(tokensSeen).as("requests signed with renewed credentials").hasSizeGreaterThan(1);
        assertThat(refused).as("no request with an expired session token").isEmpty();
        assertThat(r.out().strip()).endsWith(".json");
    }

    @Test
    void webIdentityThroughStsIsRenewedDuringALongBackup(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "the-oidc-token");
        Map<String, String> env = env(TestRig.get().s3().createBucket("irsa"));
        env.put("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/" + CredentialStub.ROLE);
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
        env.put("AWS_ENDPOINT_URL_STS", stub.endpoint().toString());
        backupOutlastsItsCredentials(env, "sts:AssumeRoleWithWebIdentity");
    }

    @Test
    void containerCredentialsWithAnAuthorizationTokenFileAreRenewed(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("eks-pod-identity-token");
        Files.writeString(token, "Bearer pod-identity-token");
        Map<String, String> env = env(TestRig.get().s3().createBucket("pod"));
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", stub.endpoint() + "/container-credentials");
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token.toString());
        backupOutlastsItsCredentials(env, "container");
    }

    @Test
    void anInstanceProfileThroughImdsV2IsRenewed() throws Exception {
        Map<String, String> env = env(TestRig.get().s3().createBucket("imds"));
        env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", stub.endpoint().toString());
        backupOutlastsItsCredentials(env, "imds");
    }

    @Test
    void aProfileRoleChainAssumesItsRoleThroughSts(@TempDir Path dir) throws Exception {
        S3Server s3 = TestRig.get().s3();
        Path config = dir.resolve("config");
        Files.writeString(config, "[profile backup]\nrole_arn = arn:aws:iam::123456789012:role/" + CredentialStub.ROLE
                + "\nsource_profile = base\nregion = " + s3.region() + "\n");
        Path credentials = dir.resolve("credentials");
        Files.writeString(credentials, "[base]\naws_access_key_id = " + s3.accessKey() + "\naws_secret_access_key = "
                + s3.secretKey() + "\n");
        Map<String, String> env = env(s3.createBucket("chain"));
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        env.put("AWS_PROFILE", "backup");
        env.put("AWS_ENDPOINT_URL_STS", stub.endpoint().toString());
        proxy.clearRules();
        Cli.Result r = Cli.runJar(env, "backup");
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(stub.calls()).contains("sts:AssumeRole");
        assertThat(refused).isEmpty();
    }

    @Test
    void temporaryKeysSignWithTheirSessionToken() throws Exception {
        S3Server s3 = TestRig.get().s3();
        Map<String, String> env = env(s3.createBucket("session"));
        env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
        env.put("AWS_SESSION_TOKEN", "not-issued-here");
        proxy.clearRules();
        Cli.Result refusedRun = Cli.runJar(env, "backup");
        assertThat(refusedRun.code()).as("the token is sent, and an unknown one refused: " + refusedRun.all()).isEqualTo(ExitCode.STORAGE.code());
        assertThat(tokensSeen).contains("not-issued-here");
    }

    @Test
    void aChainThatFindsNothingIsExit2NamingWhatItTried() throws Exception {
        Map<String, String> env = env(TestRig.get().s3().createBucket("none"));
        Cli.Result r = Cli.runJar(env, "backup");
        assertThat(r.code()).as(r.all()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("no AWS credentials found", "AWS_ACCESS_KEY_ID", "web identity", "profile",
                "container credentials", "instance profile");
        assertThat(proxy.requests()).as("nothing reached the store").isZero();
        Set<String> lines = new HashSet<>(r.err().lines().filter(l -> l.startsWith("pgbackup: error:")).toList());
        assertThat(lines).hasSize(1);
    }
}
