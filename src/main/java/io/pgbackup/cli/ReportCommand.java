package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.config.Setting;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.jobs.Context;
import io.pgbackup.jobs.ReportJob;
import io.pgbackup.jobs.Site;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgbackup report}: the status page, one self-contained HTML file. */
@Command(name = "report", sortOptions = false, usageHelpAutoWidth = true, mixinStandardHelpOptions = true,
        description = "Write a self-contained HTML status page (status verdict, charts of sizes, durations, rows, "
                + "drills and missed slots over --days, recent backups) to --output and/or upload it as "
                + "<prefix>/report.html (--upload).")
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the page to FILE.")
    Path output;

    @Option(names = "--upload", description = "Store the page as <prefix>/report.html, replacing the last one.")
    boolean upload;

    @Option(names = "--days", paramLabel = "N", description = "Days the charts cover. Env: REPORT_DAYS. Default: 90.")
    String days;

    @Mixin
    StatusCommand.StatusOptions status = new StatusCommand.StatusOptions();

    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    ViewOptions view = new ViewOptions();

    @Override
    public Integer call() {
        Context ctx = root.context();
        Map<String, String> env = ctx.env();
        if (output == null && !upload) {
            throw PgBackupException.config("report needs --output FILE, --upload, or both");
        }
        Duration window = Duration.ofDays(Setting.resolve(env, "--days", days, "90", "REPORT_DAYS").asInt(1, 3660));
        StatusPolicy policy = status.resolve(env);
        ReportJob job = new ReportJob(Site.of(ctx, FlagSet.of(env, store), view.storeOnly()), window, policy);
        job.run(output, upload).forEach(spec.commandLine().getOut()::println);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
