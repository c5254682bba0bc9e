package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.Pick;
import io.pgbackup.jobs.Site;
import io.pgbackup.jobs.VerifyJob;
import io.pgbackup.pipeline.age.AgeIdentities;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup verify}: sizes, SHA-256 and readability of a backup's objects, no database needed. */
@Command(name = "verify", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Download a backup's objects (streaming), check size and SHA-256 against the manifest, "
                + "run pg_restore --list on the archive and decompress the SQL script. Exit 0 only if all pass.")
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    SelectorOptions backupSelector = new SelectorOptions();

    @Option(names = "--all", description = "Verify every backup (within --since/--until).")
    boolean all;

    @Option(names = "--since", paramLabel = "DATE[THH:MM]", description = "With --all: from (UTC).")
    String since;

    @Option(names = "--until", paramLabel = "DATE[THH:MM]", description = "With --all: before (UTC).")
    String until;

    @Option(names = "--decrypt",
            description = "Decrypt encrypted objects completely too (age authenticates every chunk), then check them "
                    + "like unencrypted ones. Needs an identity. Without it, encrypted objects are checked as stored.")
    boolean decrypt;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    ViewOptions view = new ViewOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        Pick pick = backupSelector.resolve(ctx.clock());
        Instant from = since == null ? null : Dates.instant(since, "--since", false);
        Instant to = until == null ? null : Dates.instant(until, "--until", true);
        Site site = Site.of(ctx, FlagSet.of(env, store), view.resolve());
        AgeIdentities keys = identity.resolve(env);
        if (decrypt && keys.isEmpty()) {
            throw PgBackupException.config("--decrypt needs an identity: --identity FILE, AGE_IDENTITY_FILE or AGE_IDENTITY");
        }
        new VerifyJob(site, keys).run(pick, all ? new VerifyJob.Window(from, to, pick.label()) : null, decrypt,
                spec.commandLine().getOut());
        return 0;
    }
}
