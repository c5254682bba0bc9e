package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.pg.PgTools;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The password reaches pg_dump through a 0600 passfile only, and never reaches logs or argv. */
class SecretsIT {
    static PgServer pg;
    static String db;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("secrets");
        pg.exec(db, "create table t(x int); insert into t select generate_series(1, 1000)");
    }

    static String[] forms() {
        return new String[] {PgServer.PASSWORD, URLEncoder.encode(PgServer.PASSWORD, StandardCharsets.UTF_8)};
    }

    @Test
    void pgDumpGetsNoPasswordOnItsArgvOrInItsEnvironment() throws Exception {
        // A spy in front of the real programs records what pgbackup hands them, then execs them.
        Path bin = Files.createTempDirectory("spybin");
        Path record = bin.resolve("record.txt");
        PgTools real = new PgTools(System.getenv());
        for (String prog : new String[] {"pg_dump", "pg_restore"}) {
            BackupFailureIT.write(bin.resolve(prog), String.join("\n",
                    "{ echo \"== " + prog + "\"; tr '\\0' ' ' < /proc/$$/cmdline; echo;",
                    "  echo \"PGPASSWORD=${PGPASSWORD:-<unset>}\";",
                    "  echo \"PGPASSFILE=${PGPASSFILE:-<unset>}\";",
                    "  [ -n \"${PGPASSFILE:-}\" ] && stat -c 'mode=%a' \"$PGPASSFILE\";",
                    "  echo \"ENV-BEGIN\"; tr '\\0' '\\n' < /proc/$$/environ; echo \"ENV-END\"; } >> " + record,
                    "exec " + real.find(prog).orElseThrow() + " \"$@\""));
        }
        Path dir = Files.createTempDirectory("secrets-backup");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", pg.uri(db));
        env.put("BACKUP_DIR", dir.toString());
        env.put("PG_BIN_DIR", bin.toString());
        env.put("PGPASSWORD", "inherited-must-not-pass");
        // Secrets of other kinds that the pgbackup process has and its children must not.
        env.put("AWS_SECRET_ACCESS_KEY", "aws-secret-must-not-pass");
        env.put("AWS_ACCESS_KEY_ID", "AKIAMUSTNOTPASS");
        env.put("WEBHOOK_SECRET", "webhook-secret-must-not-pass");
        env.put("PING_URL", "https://hc-ping.example/must-not-pass");
        Cli.Result r = Cli.runJar(env, "backup");
        // Password authentication is on: success proves the password did reach pg_dump.
        assertThat(r.code()).as(r.err()).isZero();
        String seen = Files.readString(record);
        assertThat(seen).contains("== pg_dump").contains("== pg_restore").contains("--dbname=")
                .contains("PGPASSWORD=<unset>").contains("mode=600").doesNotContain("inherited-must-not-pass");
        for (String form : forms()) {
            assertThat(seen).doesNotContain(form);
        }
        // The children's whole environment (/proc/<pid>/environ): nothing of pgbackup's configuration.
        assertThat(seen).doesNotContain("aws-secret-must-not-pass").doesNotContain("AKIAMUSTNOTPASS")
                .doesNotContain("webhook-secret-must-not-pass").doesNotContain("must-not-pass")
                .doesNotContain("PG_URI=").doesNotContain("BACKUP_DIR=").doesNotContain("PG_BIN_DIR=");
        String childEnv = seen.substring(seen.lastIndexOf("ENV-BEGIN"), seen.lastIndexOf("ENV-END")); // the dump itself
        assertThat(childEnv).contains("PGPASSFILE=").contains("PATH=");
        // and the passfile is gone once the run ended
        String passfile = seen.lines().filter(l -> l.startsWith("PGPASSFILE=/")).findFirst().orElseThrow().substring(11);
        assertThat(Path.of(passfile)).doesNotExist();
    }

    /** A passfile of a run that was killed (SIGKILL: no cleanup) is removed by the next run. */
    @Test
    void thePassfileOfAKilledRunDoesNotOutliveTheNextRun() throws Exception {
        Path bin = Files.createTempDirectory("slowbin");
        Path record = bin.resolve("passfile.txt");
        PgTools real = new PgTools(System.getenv());
        // pg_dump that records its passfile and then hangs: the run is killed while it waits.
        BackupFailureIT.write(bin.resolve("pg_dump"), String.join("\n",
                "[ \"$1\" = --version ] && exec " + real.find("pg_dump").orElseThrow() + " \"$@\"",
                "echo \"$PGPASSFILE\" > " + record, "exec sleep 600"));
        BackupFailureIT.write(bin.resolve("pg_restore"), "exec " + real.find("pg_restore").orElseThrow() + " \"$@\"");
        Path dir = Files.createTempDirectory("secrets-kill");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", pg.uri(db));
        env.put("BACKUP_DIR", dir.toString());
        env.put("PG_BIN_DIR", bin.toString());
        Process p = Cli.start(env, "backup");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(record) || Files.readString(record).isBlank()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        Path passfile = Path.of(Files.readString(record).strip());
        assertThat(passfile).exists();
        java.util.List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        p.waitFor();
        children.forEach(ProcessHandle::destroyForcibly);
        assertThat(passfile).as("SIGKILL leaves it").exists();
        assertThat(Files.readString(passfile)).contains(":"); // it does hold the password line

        env.remove("PG_BIN_DIR");
        Cli.Result next = Cli.runJar(env, "backup");
        assertThat(next.code()).as(next.err()).isZero();
        assertThat(passfile).as("the next run removed the killed run's passfile").doesNotExist();
    }

    @Test
    void secretsCanComeFromFilesTheDockerAndKubernetesWay() throws Exception {
        Path dir = Files.createTempDirectory("secrets-files");
        Path uriFile = dir.resolve("pg_uri");
        Files.writeString(uriFile, pg.uri(db) + "\n"); // as `kubectl create secret --from-file` leaves it
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI_FILE", uriFile.toString());
        env.put("BACKUP_DIR", dir.resolve("backups").toString());
        Cli.Result ok = Cli.run(env, "backup");
        assertThat(ok.code()).as(ok.err()).isZero();

        env.put("PG_URI", pg.uri(db));
        Cli.Result both = Cli.run(env, "backup");
        assertThat(both.code()).isEqualTo(io.pgbackup.ExitCode.USAGE.code());
        assertThat(both.err()).contains("PG_URI and PG_URI_FILE are both set");
        env.remove("PG_URI");
        env.put("PG_URI_FILE", dir.resolve("missing").toString());
        Cli.Result missing = Cli.run(env, "backup");
        assertThat(missing.code()).isEqualTo(io.pgbackup.ExitCode.USAGE.code());
        assertThat(missing.err()).contains("PG_URI_FILE").contains("cannot read");
    }

    @Test
    void thePasswordNeverAppearsInAnyOutputOfASuccessfulOrAFailedRun() throws Exception {
        Path dir = Files.createTempDirectory("secrets-logs");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", "'" + pg.uri(db) + "'\n");
        env.put("BACKUP_DIR", dir.toString());
        env.put("LOG_LEVEL", "debug");
        Cli.Result ok = Cli.runJar(env, "backup", "--progress-interval", "1");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.err()).contains("****");

        env.put("PG_URI", pg.uri("no_such_database"));
        Cli.Result missingDb = Cli.runJar(env, "backup");
        assertThat(missingDb.code()).isEqualTo(ExitCode.DATABASE.code());

        env.put("PG_URI", "postgres://" + PgServer.USER + ":" + URLEncoder.encode(PgServer.PASSWORD, StandardCharsets.UTF_8)
                + "@127.0.0.1:1/" + db);
        Cli.Result unreachable = Cli.runJar(env, "backup");
        assertThat(unreachable.code()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(unreachable.err().strip()).startsWith("pgbackup: error:").contains("127.0.0.1");

        for (Cli.Result r : new Cli.Result[] {ok, missingDb, unreachable}) {
            for (String form : forms()) {
                assertThat(r.all()).doesNotContain(form);
            }
        }
        // the manifest records the source redacted as well
        String manifest = Files.readString(dir.resolve(ok.out().strip()));
        assertThat(manifest).contains("****");
        for (String form : forms()) {
            assertThat(manifest).doesNotContain(form);
        }
    }
}
