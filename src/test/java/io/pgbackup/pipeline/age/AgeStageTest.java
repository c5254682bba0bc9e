package io.pgbackup.pipeline.age;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgeStageTest {
    static final TestKeys A = TestKeys.generate();
    static final TestKeys B = TestKeys.generate();

    static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static byte[] encrypt(byte[] plain, AgeRecipients to) throws IOException {
        return new AgeStage(to).encrypt(plain);
    }

    static byte[] decrypt(byte[] sealed, AgeIdentities with) throws IOException {
        try (InputStream in = AgeDecryption.open(new ByteArrayInputStream(sealed), with, "x.age")) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 300_000})
    void roundTripsAcrossChunkBoundaries(int size) throws IOException {
        byte[] plain = data(size);
        byte[] sealed = encrypt(plain, A.recipients());
        assertThat(sealed).startsWith("age-encryption.org/v1\n".getBytes());
        assertThat(decrypt(sealed, A.identities())).isEqualTo(plain);
    }

    @Test
    void anyOneOfSeveralRecipientsDecrypts() throws IOException {
        AgeRecipients both = AgeRecipients.parse(List.of(new AgeRecipients.Source("AGE_RECIPIENTS",
                A.recipient() + ", " + B.recipient(), false)));
        byte[] sealed = encrypt(data(1000), both);
        assertThat(decrypt(sealed, A.identities())).isEqualTo(data(1000));
        assertThat(decrypt(sealed, B.identities())).isEqualTo(data(1000));
    }

    @Test
    void aStreamAbandonedOnFailureNeverDecryptsCleanly() throws IOException {
        // What the backup does when pg_dump dies: the stage is never closed.
        for (int written : new int[] {10, 65_536, 65_537, 200_000}) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            OutputStream enc = new AgeStage(A.recipients()).wrap(sink);
            enc.write(data(written));
            enc.flush();
            byte[] partial = sink.toByteArray();
            assertThatThrownBy(() -> decrypt(partial, A.identities())).as("%d bytes written, not closed", written)
                    .isInstanceOf(AgeDecryption.UndecryptableException.class);
        }
    }

    @Test
    void alteredOrTruncatedCiphertextFailsAuthentication() throws IOException {
        byte[] sealed = encrypt(data(200_000), A.recipients());
        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> decrypt(flipped, A.identities())).isInstanceOf(AgeDecryption.UndecryptableException.class)
                .hasMessageContaining("altered or truncated");
        for (int cut : new int[] {1, 16, 17, 1000, 65_552}) {
            byte[] shorter = java.util.Arrays.copyOf(sealed, sealed.length - cut);
            assertThatThrownBy(() -> decrypt(shorter, A.identities())).as("cut %d", cut)
                    .isInstanceOf(AgeDecryption.UndecryptableException.class);
        }
    }

    @Test
    void theWrongIdentityFailsAtTheHeader() throws IOException {
        byte[] sealed = encrypt(data(10), A.recipients());
        assertThatThrownBy(() -> AgeDecryption.open(new ByteArrayInputStream(sealed), B.identities(), "k.dump.age"))
                .isInstanceOf(AgeDecryption.UndecryptableException.class).hasMessageStartingWith("k.dump.age cannot be decrypted");
    }

    @Test
    void aFailureOfTheStreamBeneathPassesThroughUnchanged() throws IOException {
        byte[] sealed = encrypt(data(300_000), A.recipients());
        IOException storeDown = new IOException("connection reset by the store");
        InputStream flaky = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                throw storeDown;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos > 100_000) {
                    throw storeDown;
                }
                int n = Math.min(len, sealed.length - pos);
                System.arraycopy(sealed, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        InputStream in = AgeDecryption.open(flaky, A.identities(), "x");
        assertThatThrownBy(in::readAllBytes).isSameAs(storeDown);
    }

    // ---- the age CLI (Debian's age): both directions -------------------------------------------

    static Path age(String name) {
        Path p = Path.of("/usr/bin", name);
        if (!Files.isExecutable(p)) {
            Assumptions.abort("no " + name + " (apt-get install -y age)");
        }
        return p;
    }

    static byte[] run(byte[] stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream o = p.getOutputStream()) {
                o.write(stdin);
            } catch (IOException e) {
                // the process ended
            }
        });
        feeder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        feeder.join();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
        return out;
    }

    @Test
    void theAgeCliDecryptsWhatWeEncryptAndWeDecryptWhatItEncrypts(@TempDir Path dir) throws Exception {
        Path age = age("age");
        Path keyFile = dir.resolve("key.txt");
        Files.writeString(keyFile, A.identityFile());
        byte[] plain = data(250_000);
        assertThat(run(encrypt(plain, A.recipients()), age.toString(), "-d", "-i", keyFile.toString())).isEqualTo(plain);
        byte[] theirs = run(plain, age.toString(), "-r", A.recipient());
        assertThat(decrypt(theirs, A.identities())).isEqualTo(plain);
        byte[] twoRecipients = run(plain, age.toString(), "-r", B.recipient(), "-r", A.recipient());
        assertThat(decrypt(twoRecipients, A.identities())).isEqualTo(plain);
    }

    @Test
    void ourPublicKeyOfASecretIsAgeKeygens(@TempDir Path dir) throws Exception {
        Path keygen = age("age-keygen");
        Path key = dir.resolve("k.txt");
        Process p = new ProcessBuilder(keygen.toString(), "-o", key.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String publicKey = new String(run(new byte[0], keygen.toString(), "-y", key.toString())).strip();
        AgeIdentities ids = AgeIdentities.parse(List.of(new AgeIdentities.Source("--identity k.txt", Files.readString(key))));
        assertThat(ids.publicKeys()).containsExactly(publicKey);
    }
}
