package io.pgbackup.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.luben.zstd.ZstdInputStream;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlCompressionTest {

    private static byte[] sql() {
        StringBuilder b = new StringBuilder("--\n-- PostgreSQL database dump\n--\n\nCOPY public.t (id, name) FROM stdin;\n");
        for (int i = 0; i < 50_000; i++) {
            b.append(i).append('\t').append("name-").append(i % 97).append('\n');
        }
        b.append("\\.\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] compress(SqlCompression c, byte[] data) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = c.compress(sink)) {
            out.write(data, 0, 1000);
            out.write(data, 1000, data.length - 1000);
        }
        return sink.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(SqlCompression.class)
    void roundTrip(SqlCompression c) throws IOException {
        byte[] data = sql();
        byte[] packed = compress(c, data);
        try (InputStream in = c.decompress(new ByteArrayInputStream(packed))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        if (c == SqlCompression.NONE) {
            assertThat(packed).isEqualTo(data);
        } else {
            assertThat(packed.length).isLessThan(data.length / 3);
        }
    }

    @ParameterizedTest
    @EnumSource(SqlCompression.class)
    void emptyInputRoundTrips(SqlCompression c) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        c.compress(sink).close();
        try (InputStream in = c.decompress(new ByteArrayInputStream(sink.toByteArray()))) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void zstdOutputIsAValidFrameForAPlainDecoder() throws IOException {
        byte[] data = sql();
        byte[] packed = compress(SqlCompression.ZSTD, data);
        // zstd frame magic 0xFD2FB528, little-endian
        assertThat(packed).startsWith((byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD);
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(packed))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void zstdFrameHasAChecksumThatCatchesCorruption() throws IOException {
        byte[] data = sql();
        byte[] packed = compress(SqlCompression.ZSTD, data);
        // Frame header descriptor (byte 4): bit 2 is Content_Checksum_flag.
        assertThat(packed[4] & 0x04).as("checksum flag").isEqualTo(0x04);
        packed[packed.length - 1] ^= 0x55; // flip bits of the trailing checksum
        assertThat(catchThrowableOfType(IOException.class, () -> {
            try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(packed))) {
                in.readAllBytes();
            }
        })).isNotNull();
    }

    @Test
    void gzipOutputIsStandardGzip() throws IOException {
        byte[] data = sql();
        byte[] packed = compress(SqlCompression.GZIP, data);
        assertThat(packed).startsWith((byte) 0x1f, (byte) 0x8b);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(packed))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void parseIsCaseInsensitiveAndTrims() {
        assertThat(SqlCompression.parse("ZSTD", "SQL_COMPRESSION")).isEqualTo(SqlCompression.ZSTD);
        assertThat(SqlCompression.parse(" gzip\n", "SQL_COMPRESSION")).isEqualTo(SqlCompression.GZIP);
        assertThat(SqlCompression.parse("None", "SQL_COMPRESSION")).isEqualTo(SqlCompression.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "", "zst", "gz", "xz"})
    void parseRejectsUnknownNamingTheSource(String raw) {
        PgBackupException e = catchThrowableOfType(PgBackupException.class,
                () -> SqlCompression.parse(raw, "--sql-compression"));
        assertThat(e).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).contains("--sql-compression").contains("'" + raw + "'").contains("zstd");
    }

    @Test
    void labels() {
        assertThat(SqlCompression.ZSTD.label()).isEqualTo("zstd");
        assertThat(SqlCompression.GZIP.label()).isEqualTo("gzip");
        assertThat(SqlCompression.NONE.label()).isEqualTo("none");
    }
}
