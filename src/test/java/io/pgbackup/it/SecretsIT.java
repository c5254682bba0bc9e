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
                    "  [ -n \"${PGPASSFILE:-}\" ] && stat -c 'mode=%a' \"$PGPASSFILE\"; } >> " + record,
                    "exec " + real.find(prog).orElseThrow() + " \"$@\""));
        }
        Path dir = Files.createTempDirectory("secrets-backup");
        Map<String, String> env = Cli.baseEnv();
        env.put("PG_URI", pg.uri(db));
        env.put("BACKUP_DIR", dir.toString());
        env.put("PG_BIN_DIR", bin.toString());
        env.put("PGPASSWORD", "inherited-must-not-pass");
        Cli.Result r = Cli.runJar(env, "backup");
        // Password authentication is on: success proves the password did reach pg_dump.
        assertThat(r.code()).as(r.err()).isZero();
        String seen = Files.readString(record);
        assertThat(seen).contains("== pg_dump").contains("== pg_restore").contains("--dbname=")
                .contains("PGPASSWORD=<unset>").contains("mode=600").doesNotContain("inherited-must-not-pass");
        for (String form : forms()) {
            assertThat(seen).doesNotContain(form);
        }
        // and the passfile is gone once the run ended
        String passfile = seen.lines().filter(l -> l.startsWith("PGPASSFILE=/")).findFirst().orElseThrow().substring(11);
        assertThat(Path.of(passfile)).doesNotExist();
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
