package io.pgbackup.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flags standing for variables, read by the adapters: precedence, aliases, where a value came from. */
class SettingsTest {
    enum Color { RED, DARK_BLUE }

    @Test
    void aFlagWinsOverItsVariableAndItsAliasesAndIsNamedAsTheFlag() {
        Settings s = Settings.of(Map.of("S3_BUCKET", "env-bucket", "BUCKET_NAME", "fly-bucket"))
                .flag("--bucket", "flag-bucket", "S3_BUCKET");
        assertThat(s.get(null, "S3_BUCKET", "BUCKET_NAME")).isEqualTo(new Setting("flag-bucket", "--bucket"));
        Settings noFlag = Settings.of(Map.of("BUCKET_NAME", "fly-bucket")).flag("--bucket", null, "S3_BUCKET");
        assertThat(noFlag.get(null, "S3_BUCKET", "BUCKET_NAME")).as("the alias, named as itself")
                .isEqualTo(new Setting("fly-bucket", "BUCKET_NAME"));
    }

    @Test
    void aDefaultIsNamedAsTheFlagWhenThereIsOneElseAsTheVariable() {
        assertThat(Settings.of(Map.of()).flag("--lock-ttl", null, "LOCK_TTL").get("10m", "LOCK_TTL").source())
                .isEqualTo("--lock-ttl");
        assertThat(Settings.of(Map.of()).get("10m", "LOCK_TTL")).isEqualTo(new Setting("10m", "LOCK_TTL"));
        assertThat(Settings.of(Map.of("LOCK_TTL", "  ")).get("10m", "LOCK_TTL").value()).as("blank is unset").isEqualTo("10m");
    }

    @Test
    void aListIsTheRepeatedFlagAsGivenElseTheVariableSplitOnCommas() {
        Settings env = Settings.of(Map.of("WEBHOOK_URL", "https://a/x, ,https://b/y"));
        assertThat(env.list("WEBHOOK_URL")).containsExactly(new Setting("https://a/x", "WEBHOOK_URL"),
                new Setting("https://b/y", "WEBHOOK_URL"));
        Settings flags = env.flags("--webhook-url", List.of("https://c/z?a=1,2"), "WEBHOOK_URL");
        assertThat(flags.list("WEBHOOK_URL")).as("a flag's value is never split")
                .containsExactly(new Setting("https://c/z?a=1,2", "--webhook-url"));
        assertThat(Settings.of(Map.of()).list("WEBHOOK_URL")).isEmpty();
    }

    @Test
    void parsersNameTheSettingAndWhatItTakes() {
        assertThat(new Setting("1d12h", "S3_TIMEOUT").asDuration(false)).isEqualTo(Duration.ofHours(36));
        assertThat(new Setting("0", "LOCK_WAIT").asDuration(true)).isZero();
        assertThat(new Setting("16MiB", "S3_PART_SIZE").asBytes()).isEqualTo(16L << 20);
        assertThat(new Setting("dark_blue", "COLOR").asEnum(Color.class)).isEqualTo(Color.DARK_BLUE);
        assertThat(new Setting(null, "KEEP_WITHIN").asOptionalDuration()).isNull();
        assertThatThrownBy(() -> new Setting("0", "S3_TIMEOUT").asDuration(false)).isInstanceOfSatisfying(
                PgBackupException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo("S3_TIMEOUT must be a duration such as 30s, 10m, 2h or 1d; got '0'");
                });
        assertThatThrownBy(() -> new Setting("green", "--color").asEnum(Color.class))
                .hasMessage("--color must be one of red, dark_blue; got 'green'");
        assertThatThrownBy(() -> new Setting("17", "--parallel-databases").asInt(1, 8))
                .hasMessage("--parallel-databases must be a whole number from 1 to 8; got '17'");
        assertThatThrownBy(() -> new Setting("maybe", "PRUNE").asBool()).hasMessage("PRUNE must be true or false; got 'maybe'");
        assertThatThrownBy(() -> new Setting("3x", "KEEP_WITHIN").asOptionalDuration())
                .hasMessageStartingWith("KEEP_WITHIN: invalid duration '3x'");
    }
}
