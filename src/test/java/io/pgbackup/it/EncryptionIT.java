package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.take.BackupFormat;
import io.pgbackup.backup.take.BackupRequest;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.ConnectionString;
import io.pgbackup.pg.DumpOptions;
import io.pgbackup.pipeline.SqlCompression;
import io.pgbackup.pipeline.age.AgeDecryption;
import io.pgbackup.pipeline.age.TestKeys;
import io.pgbackup.repo.Catalog;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backups encrypted with age: the backup host holds public keys only; restores, downloads,
 * drills and verify --decrypt need an identity; nothing readable about the data reaches the
 * bucket; the age CLI reads what pgbackup writes and the other way round; damage is exit 8.
 */
class EncryptionIT {
    static final String MARKER = "MARKER-7f3a9c-plaintext-must-not-leak";
    static final String TABLE = "secret_payroll_ledger";
    static final KeyLayout LAYOUT = new KeyLayout("prod/db1");
    static final TestKeys KEY = TestKeys.generate();
    static final TestKeys OTHER = TestKeys.generate();
    static PgServer pg;
    static String db;
    static Path keyFile;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("enc");
        pg.exec(db, "create table " + TABLE + " (id int primary key, note text);"
                + "insert into " + TABLE + " select g, '" + MARKER + " ' || g from generate_series(1, 500) g;"
                + "create table other_things (id int); insert into other_things select generate_series(1, 42)");
        keyFile = Files.createTempFile("age-key", ".txt");
        Files.writeString(keyFile, KEY.identityFile());
    }

    static Map<String, String> env(String bucket) {
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("AGE_RECIPIENTS", KEY.recipient());
        return env;
    }

    /** The same environment as the restore host has it: the identity, and no recipients needed. */
    static Map<String, String> withKey(Map<String, String> env) {
        Map<String, String> e = new HashMap<>(env);
        e.put("AGE_IDENTITY", KEY.secret());
        return e;
    }

    static Manifest backup(String bucket, Map<String, String> env, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("backup"));
        a.addAll(List.of(args));
        Cli.Result r = Cli.run(env, a.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            return new Catalog(store, LAYOUT).all().get(0);
        }
    }

    static Map<String, byte[]> everything(String bucket) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            for (ObjectInfo o : store.list("")) {
                out.put(o.key(), RestoreFixtures.read(store, o.key()));
            }
        }
        return out;
    }

    static boolean contains(byte[] hay, String needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    // ---- the happy path ---------------------------------------------------------------------------

    @Test
    void anEncryptedBackupRoundTripsBothFormatsWithAnIdentity() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-rt");
        Manifest m = backup(bucket, env(bucket));
        assertThat(m.formatVersion()).isEqualTo(Manifest.ENCRYPTED_FORMAT_VERSION);
        assertThat(m.encryption().scheme()).isEqualTo("age");
        assertThat(m.encryption().recipients()).containsExactly(KEY.recipient());
        assertThat(m.objects()).extracting(Manifest.StoredObject::key).containsExactly(
                "prod/db1/" + m.stem() + ".dump.age", "prod/db1/" + m.stem() + ".sql.zst.age",
                "prod/db1/" + m.stem() + ".catalog.json.age");
        assertThat(m.objects()).allMatch(o -> "age".equals(o.encryption()));
        assertThat(m.tables()).as("table names are in the encrypted catalog").isEmpty();
        assertThat(m.rows()).isNull();

        for (String format : List.of("custom", "plain")) {
            String target = pg.createDatabase("enc_rt_" + format);
            Map<String, String> e = withKey(env(bucket));
            e.put("RESTORE_PG_URI", pg.uri(target));
            Cli.Result r = Cli.run(e, "restore", "--format", format);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(HostTools.canonicalDump(pg, target)).isEqualTo(HostTools.canonicalDump(pg, db));
        }
        // the identity as a file (age-keygen's format), as --identity
        String viaFile = pg.createDatabase("enc_rt_file");
        Map<String, String> e = new HashMap<>(env(bucket));
        e.put("RESTORE_PG_URI", pg.uri(viaFile));
        Cli.Result r = Cli.run(e, "restore", "--identity", keyFile.toString(), "--jobs", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, viaFile)).isEqualTo(HostTools.canonicalDump(pg, db));

        // list, status and verify need no key
        Map<String, String> noKey = BackupIT.env(bucket, db);
        assertThat(Cli.run(noKey, "list").out()).contains(m.stem());
        Cli.Result status = Cli.run(noKey, "status", "--max-age", "1h");
        assertThat(status.code()).as(status.out()).isZero();
        Cli.Result verify = Cli.run(noKey, "verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("encrypted (contents not checked: verify --decrypt with an identity)");
        Cli.Result deep = Cli.run(withKey(noKey), "verify", "--decrypt");
        assertThat(deep.code()).as(deep.out() + deep.err()).isZero();
        assertThat(deep.out()).contains("decrypts (age authenticated every chunk), pg_restore --list ok")
                .contains("decrypts (age authenticated every chunk), decompresses completely")
                .contains("catalog ok");

        // the drill reads the catalog: exact row counts are compared
        Cli.Result drill = Cli.run(withKey(noKey), "drill");
        assertThat(drill.code()).as(drill.out() + drill.err()).isZero();
        JsonNode report = RestoreFixtures.JSON.readTree(drill.out());
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.toString()).contains("2 tables have exactly the rows counted in the backup");
    }

    @Test
    void recipientsFromAFileAndTheVariableAddUpAndEitherIdentityDecrypts() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-files");
        TestKeys third = TestKeys.generate();
        Path recipients = Files.createTempFile("recipients", ".txt");
        Files.writeString(recipients, "# the ops team (age -R format)\n" + OTHER.recipient() + "\n\n" + third.recipient() + "\n");
        Map<String, String> env = env(bucket);
        env.put("AGE_RECIPIENTS_FILE", recipients.toString());
        Manifest m = backup(bucket, env);
        assertThat(m.encryption().recipients()).containsExactlyInAnyOrder(KEY.recipient(), OTHER.recipient(), third.recipient());
        Map<String, String> noKey = BackupIT.env(bucket, db);
        // AGE_IDENTITY_FILE holding the file's second recipient's identity
        Path otherFile = Files.createTempFile("other-key", ".txt");
        Files.writeString(otherFile, third.identityFile());
        Map<String, String> viaFile = new HashMap<>(noKey);
        viaFile.put("AGE_IDENTITY_FILE", otherFile.toString());
        Cli.Result deep = Cli.run(viaFile, "verify", "--decrypt");
        assertThat(deep.code()).as(deep.out() + deep.err()).isZero();
        // --identity given twice: a key of nobody's first, then the variable's recipient's
        Path stranger = Files.createTempFile("stranger-key", ".txt");
        Files.writeString(stranger, TestKeys.generate().identityFile());
        String into = pg.createDatabase("enc_two_ids");
        Map<String, String> r = new HashMap<>(noKey);
        r.put("RESTORE_PG_URI", pg.uri(into));
        Cli.Result restored = Cli.run(r, "restore", "--identity", stranger.toString(), "--identity", keyFile.toString());
        assertThat(restored.code()).as(restored.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, into)).isEqualTo(HostTools.canonicalDump(pg, db));
        // only the stranger's key: exit 14 naming the three recipients
        Cli.Result none = Cli.run(noKey, "verify", "--decrypt", "--identity", stranger.toString());
        assertThat(none.code()).isEqualTo(ExitCode.KEY_REQUIRED.code());
        assertThat(none.err()).contains(KEY.recipient()).contains(OTHER.recipient()).contains(third.recipient());
    }

    @Test
    void downloadDecryptsUnlessRaw() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-dl");
        Manifest m = backup(bucket, env(bucket));
        Path plain = Files.createTempDirectory("dl-plain");
        Cli.Result r = Cli.run(withKey(env(bucket)), "download", "-o", plain.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String base = m.stem().substring(m.stem().lastIndexOf('/') + 1);
        assertThat(plain.resolve(base + ".dump")).exists();
        assertThat(plain.resolve(base + ".sql.zst")).exists();
        assertThat(Files.readString(plain.resolve(base + ".catalog.json"))).contains(TABLE);
        HostTools.Run list = HostTools.run(pg, null, "pg_restore", "--list", plain.resolve(base + ".dump").toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains(TABLE);

        Path raw = Files.createTempDirectory("dl-raw");
        Cli.Result rr = Cli.run(env(bucket), "download", "--raw", "-o", raw.toString());
        assertThat(rr.code()).as(rr.err()).isZero();
        byte[] stored = Files.readAllBytes(raw.resolve(base + ".dump.age"));
        assertThat(sha256(stored)).isEqualTo(m.object("custom").orElseThrow().sha256());

        Cli.Result noKey = Cli.run(env(bucket), "download", "-o", Files.createTempDirectory("dl-nokey").toString());
        assertThat(noKey.code()).isEqualTo(ExitCode.KEY_REQUIRED.code());
        assertThat(noKey.err()).contains(KEY.recipient());
    }

    // ---- nothing readable reaches the bucket -----------------------------------------------------

    @Test
    void noTableDataTableNamesOrRowCountsInTheBucketWhenEncrypted() throws Exception {
        // The same runs without encryption find the marker and the table name: the grep can see them.
        String clear = TestRig.get().s3().createBucket("enc-clear");
        Map<String, String> clearEnv = BackupIT.env(clear, db);
        clearEnv.put("SQL_COMPRESSION", "none");
        backup(clear, clearEnv);
        Map<String, byte[]> clearObjects = everything(clear);
        assertThat(clearObjects.values().stream().anyMatch(b -> contains(b, MARKER))).isTrue();
        assertThat(clearObjects.values().stream().anyMatch(b -> contains(b, TABLE))).isTrue();
        assertThat(clearObjects.values().stream().anyMatch(b -> contains(b, "\"rowCount\" : 500"))).isTrue();

        String bucket = TestRig.get().s3().createBucket("enc-grep");
        Map<String, String> env = env(bucket);
        env.put("SQL_COMPRESSION", "none"); // no compression to hide behind: only the encryption
        env.put("PG_DUMP_OPTIONS", "--exclude-table-data=" + TABLE + "_archive");
        backup(bucket, env);
        Map<String, String> keyed = withKey(env);
        keyed.put("REPORT_UPLOAD", "true");
        assertThat(Cli.run(keyed, "drill").code()).isZero();
        assertThat(Cli.run(keyed, "report", "--upload").code()).isZero();
        Map<String, byte[]> objects = everything(bucket);
        assertThat(objects.keySet()).anyMatch(k -> k.contains(".drill-") && k.endsWith(".json.age"))
                .anyMatch(k -> k.contains(".drill-") && k.endsWith(".json")).anyMatch(k -> k.endsWith("report.html"));
        for (Map.Entry<String, byte[]> o : objects.entrySet()) {
            assertThat(contains(o.getValue(), MARKER)).as("marker in %s", o.getKey()).isFalse();
            assertThat(contains(o.getValue(), TABLE)).as("table name in %s", o.getKey()).isFalse();
            assertThat(contains(o.getValue(), "other_things")).as("table name in %s", o.getKey()).isFalse();
            assertThat(contains(o.getValue(), "\"rowCount\"")).as("row counts in %s", o.getKey()).isFalse();
        }
    }

    // ---- the age CLI ------------------------------------------------------------------------------

    static byte[] age(byte[] in, String... args) throws Exception {
        Path bin = Path.of("/usr/bin/age");
        if (!Files.isExecutable(bin)) {
            org.junit.jupiter.api.Assumptions.abort("no age CLI (apt-get install -y age)");
        }
        List<String> cmd = new ArrayList<>(List.of(bin.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        Thread feed = new Thread(() -> {
            try (var o = p.getOutputStream()) {
                o.write(in);
            } catch (IOException e) {
                // exited
            }
        });
        feed.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread e = new Thread(() -> Cli.copy(p.getErrorStream(), err));
        e.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        feed.join();
        e.join();
        assertThat(p.exitValue()).as("age " + String.join(" ", args) + ": " + err).isZero();
        return out;
    }

    @Test
    void theAgeCliDecryptsPgbackupsObjectsAndTheyRestore() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-cli");
        Manifest m = backup(bucket, env(bucket));
        byte[] dumpAge;
        byte[] sqlAge;
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            dumpAge = RestoreFixtures.read(store, m.object("custom").orElseThrow().key());
            sqlAge = RestoreFixtures.read(store, m.object("plain").orElseThrow().key());
        }
        // age -d -i key.txt x.dump.age | pg_restore -d target
        byte[] archive = age(dumpAge, "-d", "-i", keyFile.toString());
        String t1 = pg.createDatabase("enc_cli_custom");
        HostTools.Run r1 = HostTools.run(pg, new ByteArrayInputStream(archive), "pg_restore", "--exit-on-error",
                "--no-password", "-d", t1);
        assertThat(r1.code()).as(r1.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, t1)).isEqualTo(HostTools.canonicalDump(pg, db));
        // age -d -i key.txt x.sql.zst.age | zstd -dc | psql
        byte[] zst = age(sqlAge, "-d", "-i", keyFile.toString());
        byte[] sql;
        try (InputStream in = SqlCompression.ZSTD.decompress(new ByteArrayInputStream(zst))) {
            sql = in.readAllBytes();
        }
        String t2 = pg.createDatabase("enc_cli_plain");
        HostTools.Run r2 = HostTools.run(pg, new ByteArrayInputStream(sql), "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "--no-password", "-d", t2);
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, t2)).isEqualTo(HostTools.canonicalDump(pg, db));
    }

    @Test
    void pgbackupDecryptsObjectsTheAgeCliEncrypted() throws Exception {
        // An unencrypted backup whose objects are then encrypted with `age -r`, the manifest rewritten to match.
        String bucket = TestRig.get().s3().createBucket("enc-rev");
        Manifest m = backup(bucket, BackupIT.env(bucket, db));
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            ObjectNode manifest = RestoreFixtures.manifestNode(store, LAYOUT.manifestKey(m.stem()));
            ArrayNode objects = (ArrayNode) manifest.get("objects");
            for (JsonNode o : objects) {
                String key = o.get("key").asText();
                byte[] sealed = age(RestoreFixtures.read(store, key), "-r", KEY.recipient(), "-r", OTHER.recipient());
                store.delete(key);
                RestoreFixtures.put(store, key + ".age", sealed);
                ((ObjectNode) o).put("key", key + ".age").put("bytes", sealed.length).put("sha256", sha256(sealed))
                        .put("encryption", "age");
            }
            manifest.put("formatVersion", 2);
            manifest.putObject("encryption").put("scheme", "age").putArray("recipients").add(KEY.recipient())
                    .add(OTHER.recipient());
            RestoreFixtures.replace(store, LAYOUT.manifestKey(m.stem()), RestoreFixtures.JSON.writeValueAsBytes(manifest));
        }
        String target = pg.createDatabase("enc_rev");
        Map<String, String> e = withKey(BackupIT.env(bucket, db));
        e.put("RESTORE_PG_URI", pg.uri(target));
        Cli.Result r = Cli.run(e, "restore");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(HostTools.canonicalDump(pg, target)).isEqualTo(HostTools.canonicalDump(pg, db));
        Cli.Result v = Cli.run(e, "verify", "--decrypt");
        assertThat(v.code()).as(v.out() + v.err()).isZero();
    }

    // ---- damage and missing keys ------------------------------------------------------------------

    /** Replaces the archive's stored bytes; with {@code fixManifest}, the manifest agrees with them. */
    static void tamper(String bucket, Manifest m, java.util.function.UnaryOperator<byte[]> change, boolean fixManifest)
            throws Exception {
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            String key = m.object("custom").orElseThrow().key();
            byte[] bad = change.apply(RestoreFixtures.read(store, key));
            RestoreFixtures.replace(store, key, bad);
            if (fixManifest) {
                ObjectNode manifest = RestoreFixtures.manifestNode(store, LAYOUT.manifestKey(m.stem()));
                for (JsonNode o : manifest.get("objects")) {
                    if (o.get("key").asText().equals(key)) {
                        ((ObjectNode) o).put("bytes", bad.length).put("sha256", sha256(bad));
                    }
                }
                RestoreFixtures.replace(store, LAYOUT.manifestKey(m.stem()), RestoreFixtures.JSON.writeValueAsBytes(manifest));
            }
        }
    }

    @Test
    void aFlippedByteFailsVerifyWithoutAKeyAndVerifyDecrypt() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-flip");
        Manifest m = backup(bucket, env(bucket));
        tamper(bucket, m, b -> {
            b[b.length / 2] ^= 0x20;
            return b;
        }, false);
        Cli.Result v = Cli.run(env(bucket), "verify");
        assertThat(v.code()).as(v.out()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(v.out()).contains("size or SHA-256 mismatch");
        Cli.Result d = Cli.run(withKey(env(bucket)), "verify", "--decrypt");
        assertThat(d.code()).as(d.out()).isEqualTo(ExitCode.INTEGRITY.code());
    }

    @Test
    void ciphertextThatFailsAuthenticationIsAnIntegrityFailureEvenWhenTheManifestAgrees() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-auth");
        Manifest m = backup(bucket, env(bucket));
        tamper(bucket, m, b -> {
            b[b.length - 40] ^= 0x01; // inside the final chunk
            return b;
        }, true);
        assertThat(Cli.run(env(bucket), "verify").code()).as("as stored it matches").isZero();
        Cli.Result d = Cli.run(withKey(env(bucket)), "verify", "--decrypt");
        assertThat(d.code()).as(d.out()).isEqualTo(ExitCode.INTEGRITY.code());
        assertThat(d.out()).contains("fails age authentication");
        String target = pg.createDatabase("enc_auth");
        Map<String, String> e = withKey(env(bucket));
        e.put("RESTORE_PG_URI", pg.uri(target));
        Cli.Result r = Cli.run(e, "restore");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.INTEGRITY.code());
    }

    @Test
    void aTruncatedCiphertextIsNeverASilentShortRestore() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-trunc");
        Manifest m = backup(bucket, env(bucket));
        // drop the final chunk's tail and make the manifest agree: only age can tell
        tamper(bucket, m, b -> java.util.Arrays.copyOf(b, b.length - 100), true);
        for (String jobs : List.of("1", "2")) {
            String target = pg.createDatabase("enc_trunc_" + jobs);
            Map<String, String> e = withKey(env(bucket));
            e.put("RESTORE_PG_URI", pg.uri(target));
            Cli.Result r = Cli.run(e, "restore", "--jobs", jobs);
            assertThat(r.code()).as("--jobs %s: %s", jobs, r.err()).isEqualTo(ExitCode.INTEGRITY.code());
        }
        Cli.Result dl = Cli.run(withKey(env(bucket)), "download", "-o", Files.createTempDirectory("trunc").toString());
        assertThat(dl.code()).as(dl.err()).isEqualTo(ExitCode.INTEGRITY.code());
    }

    @Test
    void withoutAMatchingIdentityRestoreDrillAndDownloadSayWhichRecipientsToUse() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-nokey");
        Manifest m = backup(bucket, env(bucket));
        String target = pg.createDatabase("enc_nokey");
        Map<String, String> e = BackupIT.env(bucket, db);
        e.put("RESTORE_PG_URI", pg.uri(target));
        Cli.Result none = Cli.run(e, "restore");
        assertThat(none.code()).as(none.err()).isEqualTo(ExitCode.KEY_REQUIRED.code());
        assertThat(none.err().strip()).doesNotContain("\n").contains("backup " + m.stem() + " is encrypted to "
                + KEY.recipient()).contains("--identity");
        e.put("AGE_IDENTITY", OTHER.secret());
        Cli.Result wrong = Cli.run(e, "restore");
        assertThat(wrong.code()).isEqualTo(ExitCode.KEY_REQUIRED.code());
        assertThat(wrong.err()).contains(KEY.recipient()).contains(OTHER.recipient()).doesNotContain(OTHER.secret());
        Cli.Result drill = Cli.run(e, "drill");
        assertThat(drill.code()).as(drill.err()).isEqualTo(ExitCode.KEY_REQUIRED.code());
        e.remove("AGE_IDENTITY");
        Cli.Result deep = Cli.run(e, "verify", "--decrypt");
        assertThat(deep.code()).isEqualTo(ExitCode.USAGE.code());
        // nothing reached the target
        try (var c = pg.connect(target); var st = c.createStatement();
                var rs = st.executeQuery("select count(*) from pg_class where relname = '" + TABLE + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    // ---- bad input ----------------------------------------------------------------------------------

    @Test
    void badRecipientsAreExit2BeforePgDumpStarts() throws Exception {
        String bucket = TestRig.get().s3().createBucket("enc-bad");
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("PG_BIN_DIR", "/nonexistent-so-pg_dump-cannot-start");
        env.put("AGE_RECIPIENTS", KEY.recipient() + ",age1notakey");
        Cli.Result malformed = Cli.run(env, "backup");
        assertThat(malformed.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(malformed.err()).contains("AGE_RECIPIENTS item 2").contains("not a valid age recipient");
        env.put("AGE_RECIPIENTS", KEY.secret());
        Cli.Result secret = Cli.run(env, "backup");
        assertThat(secret.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(secret.err()).contains("is a secret key").doesNotContain(KEY.secret())
                .doesNotContain(KEY.secret().substring(20, 40));
        env.remove("AGE_RECIPIENTS");
        env.put("AGE_RECIPIENTS_FILE", "/nonexistent/recipients.txt");
        Cli.Result unreadable = Cli.run(env, "backup");
        assertThat(unreadable.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(unreadable.err()).contains("AGE_RECIPIENTS_FILE").contains("/nonexistent/recipients.txt");
        Cli.Result flag = Cli.run(BackupIT.env(bucket, db), "backup", "--age-recipient", "ssh-ed25519");
        assertThat(flag.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(everything(bucket)).as("nothing was written").isEmpty();
        // a schedule with drills but no identity on an encrypted daemon is refused up front
        Map<String, String> daemon = env(bucket);
        daemon.put("BACKUP_CRON", "0 3 * * *");
        daemon.put("DRILL_CRON", "0 5 * * 0");
        Cli.Result d = Cli.run(daemon, "schedule");
        assertThat(d.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(d.err()).contains("DRILL_CRON").contains("AGE_IDENTITY_FILE");
    }

    // ---- failures mid-stream --------------------------------------------------------------------

    /** Keeps every byte each put read, whether or not the put completed. */
    static final class Recording extends BackupFailureIT.FailingStore {
        final Map<String, ByteArrayOutputStream> seen = new ConcurrentHashMap<>();
        private final ObjectStore real;

        Recording(ObjectStore real) {
            super(real, "\u0000never", Long.MAX_VALUE);
            this.real = real;
        }

        @Override
        public ObjectInfo put(String key, InputStream data) throws IOException {
            ByteArrayOutputStream copy = seen.computeIfAbsent(key, k -> new ByteArrayOutputStream());
            return real.put(key, new java.io.FilterInputStream(data) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        synchronized (copy) {
                            copy.write(b, off, n);
                        }
                    }
                    return n;
                }
            });
        }
    }

    @Test
    void aPgDumpKilledMidStreamLeavesNothingAndNoBytesThatDecryptCleanly() throws Exception {
        String big = pg.createDatabase("enc_big");
        SampleData.big(pg, big, 24);
        String bucket = TestRig.get().s3().createBucket("enc-kill");
        Path wrappers = BackupFailureIT.wrapperDir(
                "[ \"$1\" = --version ] && exec REAL \"$@\"\nREAL \"$@\" | head -c 9000000\nkill -9 $$", "exec REAL \"$@\"");
        Map<String, String> toolsEnv = new HashMap<>(System.getenv());
        toolsEnv.put("PG_BIN_DIR", wrappers.toString());
        try (S3ObjectStore real = BackupIT.store(bucket)) {
            Recording store = new Recording(real);
            BackupRequest req = BackupRequest.of(ConnectionString.parse(pg.uri(big), "PG_URI")).with(
                    new BackupRequest.Contents(BackupFormat.BOTH, SqlCompression.ZSTD, DumpOptions.none(), KEY.recipients()));
            try {
                TakeBackup.of(req, store, LAYOUT, toolsEnv, Clock.systemUTC(), new Cancellation());
                throw new AssertionError("the backup should have failed");
            } catch (PgBackupException e) {
                assertThat(e.exitCode()).isEqualTo(ExitCode.DUMP_FAILED);
                assertThat(e.getMessage()).contains("pg_dump was killed by signal 9");
            }
            assertThat(real.list("")).as("nothing left in the bucket").isEmpty();
            assertThat(real.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).as("no open uploads").isEmpty();
            List<String> sealed = store.seen.keySet().stream().filter(k -> k.endsWith(".age")).toList();
            assertThat(sealed).as("encrypted streams were under way").isNotEmpty();
            for (String key : sealed) {
                byte[] bytes = store.seen.get(key).toByteArray();
                assertThat(bytes.length).as(key).isGreaterThan(0);
                try (InputStream in = AgeDecryption.open(new ByteArrayInputStream(bytes), KEY.identities(), key)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                    throw new AssertionError(key + ": " + bytes.length + " bytes that reached the store decrypt cleanly");
                } catch (AgeDecryption.UndecryptableException expected) {
                    // never finished: age's final chunk is missing
                }
            }
        }
    }
}
