package io.pgbackup.cli;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.Selector;
import io.pgbackup.backup.inspect.VerifyService;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.PgTools;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.repo.ObjectReader;
import io.pgbackup.storage.ObjectStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
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
    IdentityOptions identity = new IdentityOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = root.context().env();
        Selector sel = backupSelector.resolve(root.context().clock());
        Instant from = since == null ? null : ListCommand.instant(since, "--since", false);
        Instant to = until == null ? null : ListCommand.instant(until, "--until", true);
        StoreOptions.Resolved where = store.resolve(env);
        io.pgbackup.pipeline.age.AgeIdentities keys = identity.resolve(env);
        if (decrypt && keys.isEmpty()) {
            throw PgBackupException.config("--decrypt needs an identity: --identity FILE, AGE_IDENTITY_FILE or AGE_IDENTITY");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ObjectStore objects = where.open()) {
            Catalog catalog = new Catalog(objects, where.layout());
            Catalog.Scan scan = all ? catalog.scan() : null;
            List<Manifest> manifests = all ? scan.backups() : catalog.all();
            List<Manifest> chosen = all
                    ? manifests.stream().filter(m -> from == null || !m.startedAt().isBefore(from))
                            .filter(m -> to == null || m.startedAt().isBefore(to))
                            .filter(m -> backupSelector.label == null || backupSelector.label.equals(m.label())).toList()
                    : List.of(sel.choose(manifests));
            // A manifest that cannot be read hides its backup from everything else: here it is a failure.
            List<Catalog.Unreadable> broken = all ? scan.unreadable().stream()
                    .filter(u -> from == null || !KeyLayout.instantOf(u.stem()).isBefore(from))
                    .filter(u -> to == null || KeyLayout.instantOf(u.stem()).isBefore(to)).toList() : List.of();
            if (chosen.isEmpty() && broken.isEmpty()) {
                throw new PgBackupException(ExitCode.NOT_FOUND, "no backups to verify in " + objects.describe()
                        + (where.layout().prefix().isEmpty() ? "" : " under '" + where.layout().prefix() + "'"));
            }
            VerifyService service = new VerifyService(new ObjectReader(objects, keys), new PgTools(env),
                    root.context().cancellation());
            int failed = 0;
            boolean integrity = false;
            for (Catalog.Unreadable u : broken) {
                out.println("FAILED " + u.stem());
                out.println("  FAIL " + u.key() + ": manifest unreadable: " + u.reason());
                failed++;
                integrity |= !u.newerFormat();
            }
            for (Manifest m : chosen) {
                VerifyService.Result r = service.verify(m, decrypt && m.encrypted());
                out.println((r.ok() ? "OK     " : "FAILED ") + m.stem());
                for (VerifyService.ObjectCheck c : r.checks()) {
                    out.println("  " + (c.ok() ? "ok   " : "FAIL ") + c.key() + ": " + c.detail());
                }
                failed += r.ok() ? 0 : 1;
                integrity |= r.integrityFailure();
            }
            out.flush();
            int total = chosen.size() + broken.size();
            if (failed > 0) {
                throw new PgBackupException(integrity ? ExitCode.INTEGRITY : ExitCode.CHECK_FAILED, failed + " of " + total
                        + " backup(s) failed verification (see above)");
            }
            out.println(chosen.size() + " backup(s) verified");
        }
        return 0;
    }
}
