package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.repo.LockPolicy;
import io.pgbackup.retention.RetentionPolicy;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** The prefix lock: how long to wait for another run, how long our lease lasts. */
final class LockOptions {
    @Option(names = "--wait", paramLabel = "DURATION",
            description = "Wait this long for another run's lock on the prefix (e.g. 10m), else exit 10. "
                    + "Env: LOCK_WAIT. Default: 0 (backup, prune), 30m (tick).")
    String wait;

    @Option(names = "--lock-ttl", paramLabel = "DURATION",
            description = "Lease length without renewal: the holder renews it every fifth of this while it runs; a "
                    + "lease not renewed for this long is taken over by any host. Env: LOCK_TTL. Default: 10m.")
    String ttl;

    LockPolicy resolve(Map<String, String> env, String defaultWait, StoreOptions.Resolved where) {
        Duration lease = duration(Setting.resolve(env, "--lock-ttl", ttl, "10m", "LOCK_TTL"), false);
        if (lease.compareTo(Duration.ofSeconds(10)) < 0) {
            throw PgBackupException.config((ttl != null ? "--lock-ttl" : "LOCK_TTL") + " must be at least 10s; got '"
                    + lease.toSeconds() + "s'");
        }
        return new LockPolicy(duration(Setting.resolve(env, "--wait", wait, defaultWait, "LOCK_WAIT"), true), lease,
                where.probe());
    }

    static Duration duration(Setting s, boolean zeroOk) {
        String v = s.value().strip();
        if (zeroOk && v.equals("0")) {
            return Duration.ZERO;
        }
        try {
            Duration d = RetentionPolicy.parseDuration(v);
            if (d.isNegative() || (!zeroOk && d.isZero())) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(s.source() + " must be a duration such as 30s, 10m, 2h or 1d; got '" + v + "'");
        }
    }
}
