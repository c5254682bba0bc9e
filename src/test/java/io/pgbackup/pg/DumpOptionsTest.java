package io.pgbackup.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DumpOptionsTest {

    private static final String SRC = "PG_DUMP_OPTIONS";

    private static DumpOptions parse(String raw) {
        return DumpOptions.parse(raw, SRC);
    }

    private static PgBackupException refused(String raw, String source) {
        PgBackupException e = catchThrowableOfType(PgBackupException.class, () -> DumpOptions.parse(raw, source));
        assertThat(e).as("expected '%s' to be refused", raw).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).contains(source);
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--schema=public          | --schema=public",
            "--schema public          | --schema=public",
            "-n public                | --schema=public",
            "-npublic                 | --schema=public",
            "-N tmp                   | --exclude-schema=tmp",
            "-t app.users             | --table=app.users",
            "--exclude-table-data=audit.*  | --exclude-table-data=audit.*",
            "--lock-wait-timeout=5s   | --lock-wait-timeout=5s",
            "-e pgcrypto              | --extension=pgcrypto",
            "--no-owner               | --no-owner",
            "-O                       | --no-owner",
            "-x                       | --no-privileges",
            "--schema-only            | --schema-only",
            "-b                       | --blobs",
    })
    void allowedSingleOption(String raw, String expected) {
        assertThat(parse(raw).args()).containsExactly(expected);
    }

    @Test
    void quotedValueWithSpaces() {
        assertThat(parse("-T 'audit log.*'").args()).containsExactly("--exclude-table=audit log.*");
        assertThat(parse("--exclude-table \"audit log.*\"").args()).containsExactly("--exclude-table=audit log.*");
        assertThat(parse("--table='a b'").args()).containsExactly("--table=a b");
        assertThat(parse("--table=a\\ b").args()).containsExactly("--table=a b");
    }

    @Test
    void severalOptionsKeepTheirOrder() {
        assertThat(parse("  --schema=app -N tmp\t--no-owner -x -T 'audit.*'\n").args()).containsExactly(
                "--schema=app", "--exclude-schema=tmp", "--no-owner", "--no-privileges", "--exclude-table=audit.*");
    }

    @Test
    void emptyAndBlankGiveNoOptions() {
        assertThat(parse("").args()).isEmpty();
        assertThat(parse("   \t ").args()).isEmpty();
        assertThat(DumpOptions.none().args()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--format=p", "--format p", "-Fp", "-F c",
            "-f out", "-fout", "--file", "--file=out.sql", "--file out.sql",
            "--host=db", "--host db", "-h db",
            "-Z 9", "-Z9", "--compress=9",
            "--dbname=postgres://u:pw@h/db", "-d app",
            "--port=5432", "-p 5432", "--username=x", "-U x",
            "--jobs=4", "-j 4", "--clean", "--create",
            "--", "--=x",
    })
    void refusedOptions(String raw) {
        PgBackupException e = refused(raw, SRC);
        assertThat(e.getMessage()).contains("not allowed");
    }

    @Test
    void refusalQuotesTheOffendingWord() {
        assertThat(refused("--schema=app --format=p", SRC).getMessage()).contains("'--format=p'");
        assertThat(refused("-Z 9", SRC).getMessage()).contains("'-Z'");
    }

    @Test
    void messageNamesWhicheverSourceWasPassed() {
        assertThat(refused("--file=x", "--dump-options").getMessage()).contains("--dump-options");
        assertThat(refused("public", "--dump-options").getMessage()).contains("--dump-options");
    }

    @ParameterizedTest
    @ValueSource(strings = {"public", "--schema=app public", "-", "schema=public"})
    void strayWords(String raw) {
        assertThat(refused(raw, SRC).getMessage()).contains("unexpected word");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-T 'audit.*", "--table=\"x", "--schema=app -T 'a b"})
    void unterminatedQuote(String raw) {
        assertThat(refused(raw, SRC).getMessage()).contains("unterminated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--schema", "-n", "--no-owner --exclude-table", "-T"})
    void missingValue(String raw) {
        assertThat(refused(raw, SRC).getMessage()).contains("needs a value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--no-owner=yes", "-Ofoo", "--schema-only=1"})
    void flagGivenAValue(String raw) {
        assertThat(refused(raw, SRC).getMessage()).contains("takes no value");
    }

    @Test
    void forRestoreKeepsOnlyScriptShapingOptions() {
        DumpOptions o = parse("--schema=app --no-owner -T audit -x --no-comments --schema-only "
                + "--no-tablespaces --no-blobs --no-acl");
        assertThat(o.forRestore()).containsExactly("--no-owner", "--no-privileges", "--no-comments",
                "--no-tablespaces", "--no-acl");
        assertThat(o.args()).hasSize(9);
    }

    @Test
    void forRestoreOfSelectionOnlyIsEmpty() {
        assertThat(parse("-n app -t users").forRestore()).isEmpty();
        assertThat(DumpOptions.none().forRestore()).isEmpty();
    }
}
