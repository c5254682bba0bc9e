package io.pgbackup.cli;

import io.pgbackup.config.Settings;
import picocli.CommandLine.Option;

/** The prefix lock: how long to wait for another run, how long our lease lasts. */
final class LockOptions implements FlagSet {
    @Option(names = "--wait", paramLabel = "DURATION",
            description = "Wait this long for another run's lock on the prefix (e.g. 10m), else exit 10. "
                    + "Env: LOCK_WAIT. Default: 0 (backup, prune), 30m (tick).")
    String wait;

    @Option(names = "--lock-ttl", paramLabel = "DURATION",
            description = "Lease length without renewal: the holder renews it every fifth of this while it runs; a "
                    + "lease not renewed for this long is taken over by any host. Env: LOCK_TTL. Default: 10m.")
    String ttl;

    @Override
    public Settings register(Settings s) {
        return s.flag("--wait", wait, "LOCK_WAIT").flag("--lock-ttl", ttl, "LOCK_TTL");
    }
}
