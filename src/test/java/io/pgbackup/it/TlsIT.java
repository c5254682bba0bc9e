package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS with private CAs on both sides: an https S3 endpoint (s3proxy) trusted through
 * AWS_CA_BUNDLE, and a Postgres server with {@code ssl=on} that accepts the test user over TLS
 * only, reached with {@code sslmode=verify-full} and {@code sslrootcert} by JDBC and by pg_dump
 * and pg_restore alike. A wrong CA fails with a clear message on each side.
 */
class TlsIT {
    static TestCerts certs;
    static HttpsS3Server s3;
    static EmbeddedPgServer pg;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.get();
        s3 = new HttpsS3Server(certs);
        pg = new EmbeddedPgServer(TestRig.defaultMajor(), certs);
        db = pg.createDatabase("tls_src");
        pg.exec(db, "create table t(id int primary key, v text); insert into t select g, md5(g::text) "
                + "from generate_series(1, 5000) g");
    }

    @AfterAll
    static void stop() {
        s3.close();
        pg.close();
    }

    static String verifyFull(String database, java.nio.file.Path ca) {
        return pg.uri(database) + "?sslmode=verify-full&sslrootcert="
                + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8);
    }

    Map<String, String> env(String bucket) {
        Map<String, String> env = Cli.baseEnv();
        env.putAll(s3.env(bucket));
        env.put("PG_URI", verifyFull(db, certs.caPem));
        env.put("AWS_CA_BUNDLE", certs.caPem.toString());
        return env;
    }

    @Test
    void backupAndRestoreWorkOverTlsWithPrivateCasOnBothSides() throws Exception {
        String bucket = s3.createBucket("tls");
        Cli.Result b = Cli.run(env(bucket), "backup");
        assertThat(b.code()).as(b.err()).isZero();
        String target = pg.createDatabase("tls_restored");
        Cli.Result r = Cli.run(env(bucket), "restore", "latest", "--target", verifyFull(target, certs.caPem));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(RestoreFixtures.count(pg, target, "select count(*) from t")).isEqualTo(5000);
        Cli.Result plain = Cli.run(env(bucket), "verify", "latest");
        assertThat(plain.code()).as(plain.all()).isZero();
    }

    @Test
    void anS3EndpointSignedByAnotherCaIsRefusedNamingTheSetting() {
        String bucket = s3.createBucket("tls-wrong");
        Map<String, String> env = env(bucket);
        env.put("AWS_CA_BUNDLE", certs.otherCaPem.toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.STORAGE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("not trusted").contains("AWS_CA_BUNDLE");
        env.remove("AWS_CA_BUNDLE"); // the JDK's CAs do not know the test CA either
        Cli.Result jdk = Cli.run(env, "list");
        assertThat(jdk.code()).as(jdk.err()).isEqualTo(ExitCode.STORAGE.code());
        assertThat(jdk.err()).contains("not trusted");
    }

    @Test
    void anUnreadableCaBundleIsAConfigurationError() {
        Map<String, String> env = env("whatever");
        env.put("AWS_CA_BUNDLE", certs.dir.resolve("no-such.pem").toString());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("AWS_CA_BUNDLE").contains("no-such.pem");
    }

    @Test
    void aPostgresCertificateFromAnotherCaIsADatabaseError() {
        String bucket = s3.createBucket("tls-pg");
        Map<String, String> env = env(bucket);
        env.put("PG_URI", verifyFull(db, certs.otherCaPem));
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DATABASE.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).containsIgnoringCase("certificate");
        StoreCheck.assertNoSecrets(r);
    }

    @Test
    void withoutTlsTheServerRefusesTheTestUser() {
        String bucket = s3.createBucket("tls-off");
        Map<String, String> env = env(bucket);
        env.put("PG_URI", pg.uri(db) + "?sslmode=disable");
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.DATABASE.code());
    }
}
