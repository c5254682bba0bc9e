package io.pgbackup.cli;

import io.pgbackup.config.Setting;
import io.pgbackup.retention.RetentionPolicy;
import java.time.ZoneId;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code PRUNE}: run retention after each successful scheduled backup, with the KEEP_* policy. */
final class PruneSwitch {
    @Option(names = "--prune", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "Prune with the --keep-* policy after each successful backup. Env: PRUNE. Default: false.")
    String prune;

    @Mixin
    RetentionOptions retention = new RetentionOptions();

    /** The retention guard's count (PRUNE_KEEP_DRILLED). */
    int keepDrilled(Map<String, String> env) {
        return retention.keepDrilled(env);
    }

    /** The policy when pruning is on (validated now), else null. */
    RetentionPolicy policy(Map<String, String> env, ZoneId zone) {
        return Setting.resolve(env, "--prune", prune, "false", "PRUNE").asBool() ? retention.resolve(env, zone) : null;
    }
}
