package io.pgbackup.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DigestingInputStreamTest {

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void emptyStream() throws Exception {
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(new byte[0]));
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.count()).isZero();
        assertThat(in.sha256Hex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void knownVector() throws Exception {
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream("abc".getBytes("US-ASCII")));
        assertThat(in.readAllBytes()).hasSize(3);
        assertThat(in.count()).isEqualTo(3);
        assertThat(in.sha256Hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void bulkReadsMatchMessageDigest() throws Exception {
        byte[] data = random(1_000_003);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        byte[] buf = new byte[4096];
        int off = 7; // read into the middle of the buffer: the digest must use off correctly
        while (in.read(buf, off, 1000) >= 0) {
            // drain
        }
        assertThat(in.count()).isEqualTo(data.length);
        assertThat(in.sha256Hex()).isEqualTo(sha256(data));
    }

    @Test
    void singleByteReadsMatchMessageDigest() throws Exception {
        byte[] data = random(10_000);
        data[0] = (byte) 0xff; // a byte that is negative as a Java byte
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        int b;
        int n = 0;
        while ((b = in.read()) >= 0) {
            assertThat(b).isEqualTo(data[n++] & 0xff);
        }
        assertThat(in.count()).isEqualTo(data.length);
        assertThat(in.sha256Hex()).isEqualTo(sha256(data));
    }

    @Test
    void skippedBytesAreCountedAndHashed() throws Exception {
        byte[] data = random(100_000);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        assertThat(in.read(new byte[10])).isEqualTo(10);
        assertThat(in.skip(50_000)).isEqualTo(50_000);
        assertThat(in.skip(0)).isZero();
        in.readNBytes(123);
        assertThat(in.skip(1_000_000)).isEqualTo(100_000 - 10 - 50_000 - 123);
        assertThat(in.skip(5)).isZero();
        assertThat(in.count()).isEqualTo(data.length);
        assertThat(in.sha256Hex()).isEqualTo(sha256(data));
    }

    @Test
    void skipCannotBypassTheDigestEvenWhenTheSourceSkips() throws Exception {
        byte[] data = random(20_000);
        // ByteArrayInputStream.skip() jumps ahead without handing out bytes; the digest must still see them.
        InputStream source = new ByteArrayInputStream(data);
        DigestingInputStream in = new DigestingInputStream(source);
        in.skipNBytes(20_000);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.count()).isEqualTo(20_000);
        assertThat(in.sha256Hex()).isEqualTo(sha256(data));
    }

    @Test
    void transferToCountsEverything() throws Exception {
        byte[] data = random(300_000);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThat(in.transferTo(out)).isEqualTo(data.length);
        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(in.count()).isEqualTo(data.length);
        assertThat(in.sha256Hex()).isEqualTo(sha256(data));
    }

    @Test
    void markIsNotSupported() {
        assertThat(new DigestingInputStream(new ByteArrayInputStream(new byte[1])).markSupported()).isFalse();
    }
}
