package io.pgbackup.jobs;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.backup.inspect.VerifyService;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.pg.PgTools;
import io.pgbackup.pipeline.age.AgeIdentities;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.ObjectReader;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Verifying backups against their manifests: one picked, or every one in a window, where a
 * manifest that cannot be read is a failure too (it hides its backup from everything else).
 * Stored bytes that are wrong are exit 8 (INTEGRITY); other failed checks exit 9.
 */
public record VerifyJob(Site site, AgeIdentities keys) {
    /** Every backup started in [{@code from}, {@code to}) with {@code label} (each may be null: any). */
    public record Window(Instant from, Instant to, String label) {
        boolean matches(Instant startedAt) {
            return (from == null || !startedAt.isBefore(from)) && (to == null || startedAt.isBefore(to));
        }
    }

    /**
     * Verifies {@code pick}'s backup, or with {@code window} not null every backup in it; with
     * {@code decrypt} encrypted objects are decrypted completely too. Prints a line per backup and
     * per object.
     */
    public void run(Pick pick, Window window, boolean decrypt, PrintWriter out) {
        site.where().use(objects -> {
            Catalog catalog = new Catalog(objects, site.where().layout());
            boolean all = window != null;
            Catalog.Scan scan = all ? catalog.scan() : null;
            List<Manifest> chosen = all
                    ? scan.backups().stream().filter(m -> window.matches(m.startedAt()))
                            .filter(m -> window.label() == null || window.label().equals(m.label())).toList()
                    : List.of(pick.from(catalog));
            List<Catalog.Unreadable> broken = all ? scan.unreadable().stream()
                    .filter(u -> window.matches(KeyLayout.instantOf(u.stem()))).toList() : List.of();
            if (chosen.isEmpty() && broken.isEmpty()) {
                throw new PgBackupException(ExitCode.NOT_FOUND, "no backups to verify in " + objects.describe()
                        + (site.where().prefix().isEmpty() ? "" : " under '" + site.where().prefix() + "'"));
            }
            VerifyService service = new VerifyService(new ObjectReader(objects, keys), new PgTools(site.ctx().env()),
                    site.ctx().cancellation());
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
        });
    }
}
