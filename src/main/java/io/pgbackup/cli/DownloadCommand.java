package io.pgbackup.cli;

import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.Pick;
import io.pgbackup.jobs.RestoreJob;
import io.pgbackup.jobs.Site;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup download}: a backup's objects into a local directory, checked against the manifest. */
@Command(name = "download", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Download a backup's objects and manifest to a directory, checking sizes and SHA-256.")
final class DownloadCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    SelectorOptions backupSelector = new SelectorOptions();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = ".", description = "Target directory. Default: .")
    Path output;

    @Option(names = "--raw", description = "Keep encrypted objects as stored (.age, what the manifest's SHA-256 covers) "
            + "instead of decrypting them.")
    boolean raw;

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
        RestoreJob job = RestoreJob.of(Site.of(ctx, FlagSet.of(env, store), view.resolve()), identity.resolve(env));
        job.download(pick, output, raw).forEach(spec.commandLine().getOut()::println);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
