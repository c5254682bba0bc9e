package io.pgbackup.cli;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.Catalog;
import io.pgbackup.backup.Selector;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.pipeline.DigestingInputStream;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Selector sel = backupSelector.resolve();
        StoreOptions.Resolved where = store.resolve(env);
        try (ObjectStore objects = where.open()) {
            Manifest m = sel.choose(new Catalog(objects, where.layout()).all());
            Files.createDirectories(output);
            for (Manifest.StoredObject o : m.objects()) {
                Path file = output.resolve(o.key().substring(o.key().lastIndexOf('/') + 1));
                if (Files.exists(file)) {
                    throw PgBackupException.config(file + " already exists: download into an empty directory (-o DIR)");
                }
            }
            for (Manifest.StoredObject o : m.objects()) {
                Path file = output.resolve(o.key().substring(o.key().lastIndexOf('/') + 1));
                Path part = file.resolveSibling(file.getFileName() + ".part");
                try (InputStream raw = objects.get(o.key()); DigestingInputStream in = new DigestingInputStream(raw);
                        OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW)) {
                    io.pgbackup.pipeline.Copy.copy(in, out);
                    if (in.count() != o.bytes() || !in.sha256Hex().equals(o.sha256())) {
                        Files.deleteIfExists(part);
                        throw new PgBackupException(ExitCode.INTEGRITY, o.key() + " does not match its manifest (size or SHA-256)");
                    }
                } catch (ObjectNotFoundException e) {
                    Files.deleteIfExists(part);
                    throw new PgBackupException(ExitCode.INTEGRITY, "the manifest lists " + o.key() + " but the store does not have it");
                }
                Files.move(part, file);
                spec.commandLine().getOut().println(file);
            }
            Path manifest = output.resolve(m.stem().substring(m.stem().lastIndexOf('/') + 1) + ".json");
            Files.write(manifest, ManifestCodec.encode(m));
            spec.commandLine().getOut().println(manifest);
        }
        return 0;
    }
}
