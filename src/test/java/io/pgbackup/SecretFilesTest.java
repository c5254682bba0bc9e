package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFileVariantGivesTheValueWithoutItsTrailingNewline() throws Exception {
        Files.writeString(dir.resolve("uri"), "postgres://u:p@h/db\n");
        Files.writeString(dir.resolve("secret"), "s3cr3t\r\n");
        Map<String, String> env = SecretFiles.resolve(Map.of("PG_URI_FILE", dir.resolve("uri").toString(),
                "AWS_SECRET_ACCESS_KEY_FILE", dir.resolve("secret").toString(), "OTHER", "x"));
        assertThat(env).containsEntry("PG_URI", "postgres://u:p@h/db").containsEntry("AWS_SECRET_ACCESS_KEY", "s3cr3t")
                .containsEntry("OTHER", "x").doesNotContainKey("PG_URI_FILE");
    }

    @Test
    void everySecretHasAFileVariant() {
        assertThat(SecretFiles.SECRETS).contains("PG_URI", "DATABASE_URL", "RESTORE_PG_URI", "AWS_SECRET_ACCESS_KEY",
                "WEBHOOK_SECRET", "WEBHOOK_URL", "PING_URL", "AGE_IDENTITY");
    }

    @Test
    void bothSetAMissingFileAndAnEmptyOneAreConfigurationErrors() throws Exception {
        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> SecretFiles.resolve(Map.of("PG_URI", "x", "PG_URI_FILE", "/nope")))
                .hasMessageContaining("PG_URI and PG_URI_FILE are both set");
        assertThatThrownBy(() -> SecretFiles.resolve(Map.of("WEBHOOK_SECRET_FILE", dir.resolve("nope").toString())))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("WEBHOOK_SECRET_FILE: cannot read");
        assertThatThrownBy(() -> SecretFiles.resolve(Map.of("PING_URL_FILE", dir.resolve("empty").toString())))
                .hasMessageContaining("is empty");
    }
}
