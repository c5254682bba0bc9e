package io.pgbackup.cli;

import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.Selector;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.backup.restore.DownloadService;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.nio.file.Path;
import java.util.List;
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
    IdentityOptions identity = new IdentityOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Selector sel = backupSelector.resolve(root.context().clock());
        StoreOptions.Resolved where = store.resolve(env);
        io.pgbackup.pipeline.age.AgeIdentities keys = identity.resolve(env);
        try (ObjectStore objects = where.open()) {
            Manifest m = sel.choose(new Catalog(objects, where.layout()).all());
            List<Path> files = new DownloadService(new ObjectReader(objects, keys), root.context().cancellation())
                    .download(m, output, raw ? ObjectReader.Layer.STORED : ObjectReader.Layer.PAYLOAD);
            files.forEach(spec.commandLine().getOut()::println);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
