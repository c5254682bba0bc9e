package io.pgbackup.cli;

import io.pgbackup.config.Settings;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.PruneJob;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.View;
import io.pgbackup.retention.RetentionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The prunes PRUNE runs after each scheduled backup (tick, schedule). */
final class Prunes {
    private Prunes() {}

    /**
     * None when PRUNE is off ({@code policy} null); else the first store's by its policy and, with a
     * second store, the second's by COPY_KEEP_* (each falling back to KEEP_*), each checked against
     * its own store's Object Lock now.
     */
    static List<PruneJob> after(Context ctx, Site site, RetentionPolicy policy, PruneSwitch prune, CronOptions cron,
            Settings settings) {
        List<PruneJob> out = new ArrayList<>();
        if (policy == null) {
            return out;
        }
        Map<String, String> env = ctx.env();
        out.add(PruneJob.of(site, policy, prune.keepDrilled(env), false));
        if (Settings.hasCopy(env)) {
            Map<String, String> copyEnv = Settings.copyOf(env).environment();
            out.add(PruneJob.of(Site.reported(ctx, settings, new View(true, null)),
                    prune.retention.resolve(copyEnv, cron.zone(env)), prune.keepDrilled(copyEnv), false));
        }
        return out;
    }
}
