package io.pgbackup.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionStringTest {

    private static final String PW = "S3cretPw";
    private static final String URI = "postgres://app:" + PW + "@db.internal:5432/appdb";

    private static ConnectionString parse(String raw) {
        return ConnectionString.parse(raw, "PG_URI");
    }

    private static PgBackupException rejected(String raw) {
        PgBackupException e = catchThrowableOfType(PgBackupException.class, () -> parse(raw));
        assertThat(e).as("expected %s to be rejected", raw).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(e.getMessage()).contains("PG_URI");
        return e;
    }

    private static void assertStandard(ConnectionString cs) {
        assertThat(cs.params()).containsExactly(
                entry("user", "app"), entry("password", PW), entry("host", "db.internal"),
                entry("port", "5432"), entry("dbname", "appdb"));
    }

    @Nested
    class Cleaning {
        @Test
        void surroundingSpaces() {
            assertStandard(parse("   " + URI + "   "));
        }

        @Test
        void surroundingTabs() {
            assertStandard(parse("\t" + URI + "\t\t"));
        }

        @Test
        void trailingNewline() {
            assertStandard(parse(URI + "\n"));
        }

        @Test
        void trailingCrlf() {
            assertStandard(parse(URI + "\r\n"));
        }

        @Test
        void oneLayerOfDoubleQuotes() {
            assertStandard(parse("\"" + URI + "\""));
        }

        @Test
        void oneLayerOfSingleQuotes() {
            assertStandard(parse("'" + URI + "'"));
        }

        @Test
        void quotesWithInnerSpacesAndOuterNewline() {
            assertStandard(parse("  \"  " + URI + " \t\"\r\n"));
        }

        @Test
        void mismatchedQuotesAreNotStrippedAndTheValueIsRejected() {
            PgBackupException e = rejected("\"" + URI + "'");
            assertThat(e.getMessage()).doesNotContain(PW);
        }

        @Test
        void aLoneTrailingQuoteIsRefusedLikeALeadingOneInsteadOfEndingUpInTheDatabaseName() {
            for (String raw : new String[] {URI + "\"", URI + "'", "\"" + URI, "'" + URI}) {
                PgBackupException e = rejected(raw);
                assertThat(e.getMessage()).as(raw).contains("unbalanced").contains("PG_URI").doesNotContain(PW);
            }
        }

        @Test
        void anUnknownSslModeIsAConfigurationErrorNamingTheSetting() {
            PgBackupException e = rejected(URI + "?sslmode=bogus");
            assertThat(e.exitCode()).isEqualTo(io.pgbackup.ExitCode.USAGE);
            assertThat(e.getMessage()).contains("PG_URI").contains("sslmode 'bogus'").contains("verify-full");
            assertThat(rejected("host=h dbname=d sslmode=maybe").getMessage()).contains("sslmode 'maybe'");
            assertThat(parse(URI + "?sslmode=verify-full").get("sslmode")).contains("verify-full");
        }

        @Test
        void childrenConnectWithATimeoutAndKeepalivesUnlessTheyAreSet() {
            assertThat(parse(URI).childConninfo()).contains("connect_timeout=30").contains("keepalives_idle=60")
                    .doesNotContain(PW);
            assertThat(parse(URI + "?connect_timeout=5").childConninfo()).contains("connect_timeout=5")
                    .doesNotContain("connect_timeout=30");
            assertThat(rejected(URI + "?connect_timeout=soon").getMessage()).contains("connect_timeout");
        }

        @Test
        void onlyOneLayerOfQuotesIsRemoved() {
            PgBackupException e = rejected("\"'" + URI + "'\"");
            assertThat(e.getMessage()).doesNotContain(PW);
        }

        @Test
        void cleanIsExposedForTheSameRules() {
            assertThat(ConnectionString.clean(null)).isEmpty();
            assertThat(ConnectionString.clean(" 'x' ")).isEqualTo("x");
            assertThat(ConnectionString.clean("\"x'")).isEqualTo("\"x'");
            assertThat(ConnectionString.clean("\"\"x\"\"")).isEqualTo("\"x\"");
        }
    }

    @Nested
    class UriForm {
        @ParameterizedTest
        @ValueSource(strings = {"postgres://", "postgresql://", "POSTGRES://", "PostgreSQL://", "pOsTgReS://"})
        void schemesAreCaseInsensitive(String scheme) {
            assertStandard(parse(scheme + "app:" + PW + "@db.internal:5432/appdb"));
        }

        @Test
        void percentEncodedUserAndPassword() {
            ConnectionString cs = parse("postgres://us%65r%2Bx:p%40ss@h/db");
            assertThat(cs.user()).isEqualTo("user+x");
            assertThat(cs.password()).contains("p@ss");
        }

        @Test
        void plusIsNotASpaceInAPassword() {
            assertThat(parse("postgres://u:a+b@h/db").password()).contains("a+b");
        }

        @Test
        void percentEncodedColonAtAndSlashInPassword() {
            ConnectionString cs = parse("postgres://u:a%3Ab%40c%2Fd@h:5432/db");
            assertThat(cs.password()).contains("a:b@c/d");
            assertThat(cs.get("host")).contains("h");
            assertThat(cs.get("dbname")).contains("db");
        }

        @Test
        void rawColonAndAtInPasswordAreTolerated() {
            ConnectionString cs = parse("postgres://u:pa:ss@w@rd@h:5432/db");
            assertThat(cs.user()).isEqualTo("u");
            assertThat(cs.password()).contains("pa:ss@w@rd");
            assertThat(cs.get("host")).contains("h");
            assertThat(cs.get("port")).contains("5432");
        }

        @Test
        void rawSlashInPasswordIsRejectedWithoutEchoingAnyPartOfIt() {
            // An unencoded '/' ends the authority early: the value is ambiguous, so it must be
            // refused, and the message must not show a fragment of the password (e.g. as a "port").
            PgBackupException e = rejected("postgres://app:s3cr/etXYZ@db.internal:5432/app");
            assertThat(e.getMessage()).doesNotContain("s3cr").doesNotContain("etXYZ");
        }

        @Test
        void multiHost() {
            ConnectionString cs = parse("postgresql://u:" + PW + "@h1:5432,h2:5433/db");
            assertThat(cs.get("host")).contains("h1,h2");
            assertThat(cs.get("port")).contains("5432,5433");
            assertThat(cs.redacted()).isEqualTo("postgresql://u:****@h1:5432,h2:5433/db");
        }

        @Test
        void multiHostWithOnePortMissing() {
            ConnectionString cs = parse("postgresql://h1,h2:5433/db");
            assertThat(cs.get("host")).contains("h1,h2");
            assertThat(cs.get("port")).contains(",5433");
        }

        @Test
        void ipv6() {
            ConnectionString cs = parse("postgres://u:" + PW + "@[::1]:5432/db");
            assertThat(cs.get("host")).contains("::1");
            assertThat(cs.get("port")).contains("5432");
            assertThat(cs.redacted()).isEqualTo("postgresql://u:****@[::1]:5432/db");
        }

        @Test
        void ipv6WithoutPort() {
            ConnectionString cs = parse("postgres://[2001:db8::5]/db");
            assertThat(cs.get("host")).contains("2001:db8::5");
            assertThat(cs.get("port")).isEmpty();
        }

        @Test
        void unterminatedIpv6IsRejected() {
            PgBackupException e = rejected("postgres://u:" + PW + "@[::1:5432/db");
            assertThat(e.getMessage()).doesNotContain(PW);
        }

        @Test
        void invalidPortIsRejected() {
            PgBackupException e = rejected("postgres://u:" + PW + "@h:99999/db");
            assertThat(e.getMessage()).doesNotContain(PW).contains("invalid port").doesNotContain("99999");
        }

        @Test
        void queryParameters() {
            ConnectionString cs = parse("postgres://u:" + PW + "@h/db?sslmode=require&application_name=nightly%20job");
            assertThat(cs.get("sslmode")).contains("require");
            assertThat(cs.get("application_name")).contains("nightly job");
            assertThat(cs.redacted()).contains("sslmode=require").doesNotContain(PW);
        }

        @Test
        void badQueryParameterIsRejected() {
            PgBackupException e = rejected("postgres://u:" + PW + "@h/db?sslmode");
            assertThat(e.getMessage()).doesNotContain(PW);
        }

        @Test
        void missingPortAndDatabase() {
            ConnectionString cs = parse("postgres://app:" + PW + "@db.internal");
            assertThat(cs.get("host")).contains("db.internal");
            assertThat(cs.get("port")).isEmpty();
            assertThat(cs.get("dbname")).isEmpty();
            assertThat(cs.database()).as("libpq falls back to the user name").isEqualTo("app");
        }

        @Test
        void missingPortWithDatabaseAndTrailingSlash() {
            ConnectionString cs = parse("postgres://app@db.internal/");
            assertThat(cs.get("host")).contains("db.internal");
            assertThat(cs.get("dbname")).isEmpty();
            assertThat(cs.password()).isEmpty();
            assertThat(cs.user()).isEqualTo("app");
        }

        @Test
        void userWithoutPassword() {
            ConnectionString cs = parse("postgres://app@h:6543/x");
            assertThat(cs.password()).isEmpty();
            assertThat(cs.redacted()).isEqualTo("postgresql://app@h:6543/x");
        }

        @Test
        void percentEncodedDatabaseName() {
            assertThat(parse("postgres://h/my%20db").database()).isEqualTo("my db");
        }
    }

    @Nested
    class KeyValueForm {
        @Test
        void plainKeywords() {
            ConnectionString cs = parse("host=db.internal port=5432 dbname=appdb user=app password=" + PW);
            assertStandardUnordered(cs);
        }

        @Test
        void quotedValuesAndEscapes() {
            ConnectionString cs = parse("host=h dbname='my db' user=app password='it\\'s a \\\\secret'");
            assertThat(cs.get("dbname")).contains("my db");
            assertThat(cs.password()).contains("it's a \\secret");
            assertThat(cs.redacted()).contains("password=****").doesNotContain("secret");
        }

        @Test
        void unquotedBackslashEscape() {
            assertThat(parse("host=h password=a\\ b").password()).contains("a b");
        }

        @Test
        void spacesAroundEquals() {
            ConnectionString cs = parse("host = h   dbname =  app");
            assertThat(cs.params()).containsExactly(entry("host", "h"), entry("dbname", "app"));
        }

        @Test
        void quotedWholeConninfo() {
            ConnectionString cs = parse("'host=h dbname=app'\n");
            assertThat(cs.params()).containsExactly(entry("host", "h"), entry("dbname", "app"));
        }

        @Test
        void unterminatedQuoteIsRejected() {
            PgBackupException e = rejected("host=h password='" + PW);
            assertThat(e.getMessage()).doesNotContain(PW);
        }

        @Test
        void redactedQuotesValuesThatNeedIt() {
            ConnectionString cs = parse("host=h dbname='my db' password=" + PW);
            assertThat(cs.redacted()).isEqualTo("host=h dbname='my db' password=****");
            assertThat(cs.toString()).isEqualTo(cs.redacted());
        }

        private void assertStandardUnordered(ConnectionString cs) {
            assertThat(cs.params()).containsOnly(
                    entry("user", "app"), entry("password", PW), entry("host", "db.internal"),
                    entry("port", "5432"), entry("dbname", "appdb"));
        }
    }

    @Nested
    class Rejected {
        @ParameterizedTest
        @ValueSource(strings = {
                "mysql://u:" + PW + "@h:3306/db",
                "http://u:" + PW + "@h/db",
                "https://u:" + PW + "@h/db",
                "jdbc:postgresql://h:5432/db?password=" + PW,
                "just some plain text " + PW,
                PW,
                "",
                "   ",
                "\n",
                "\"\"",
                "''",
                "\"",
                "'",
                "\" \"",
        })
        void notAConnectionString(String raw) {
            PgBackupException e = rejected(raw);
            assertThat(e.getMessage()).doesNotContain(PW).doesNotContain("\n");
        }

        @Test
        void nullIsRejectedAsEmpty() {
            PgBackupException e = catchThrowableOfType(PgBackupException.class, () -> ConnectionString.parse(null, "PG_URI"));
            assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(e.getMessage()).contains("PG_URI").contains("empty");
        }

        @Test
        void messageNamesTheSourceGiven() {
            PgBackupException e = catchThrowableOfType(PgBackupException.class,
                    () -> ConnectionString.parse("mysql://u:" + PW + "@h/db", "--target"));
            assertThat(e.getMessage()).contains("--target").doesNotContain("PG_URI").doesNotContain(PW);
            assertThat(e.getMessage()).contains("mysql:");
        }
    }

    @Nested
    class Redaction {
        @Test
        void uriRedactedAndToStringHidePassword() {
            ConnectionString cs = parse(URI + "?sslmode=require");
            assertThat(cs.redacted())
                    .isEqualTo("postgresql://app:****@db.internal:5432/appdb?sslmode=require");
            assertThat(cs.toString()).isEqualTo(cs.redacted()).doesNotContain(PW).contains("****");
        }

        @Test
        void encodedSpecialPasswordDoesNotLeakInAnyForm() {
            ConnectionString cs = parse("postgres://u:p%40ss%2Fw0rd@h/db");
            for (String s : new String[] {cs.redacted(), cs.toString(), cs.conninfoWithoutPassword()}) {
                assertThat(s).doesNotContain("p@ss").doesNotContain("p%40ss").doesNotContain("w0rd");
            }
        }

        @Test
        void conninfoWithoutPassword() {
            ConnectionString cs = parse(URI + "?sslmode=require");
            assertThat(cs.conninfoWithoutPassword())
                    .isEqualTo("user=app host=db.internal port=5432 dbname=appdb sslmode=require")
                    .doesNotContain(PW).doesNotContain("password");
        }

        @Test
        void conninfoWithoutPasswordQuotesAndReparses() {
            ConnectionString cs = parse("host=h dbname='my db' user='o\\'brien' password=" + PW);
            String ci = cs.conninfoWithoutPassword();
            assertThat(ci).doesNotContain(PW).doesNotContain("password");
            assertThat(parse(ci).params()).containsExactly(entry("host", "h"), entry("dbname", "my db"),
                    entry("user", "o'brien"));
        }

        @Test
        void withReplacesAndRemovesKeywords() {
            ConnectionString cs = parse(URI);
            assertThat(cs.with("dbname", "other").database()).isEqualTo("other");
            assertThat(cs.with("password", null).password()).isEmpty();
            assertThat(cs.database()).isEqualTo("appdb");
        }
    }

    @Nested
    class LibpqEnv {
        @Test
        void mapsTheVariables() {
            Map<String, String> env = new HashMap<>();
            env.put("PGHOST", " db.internal ");
            env.put("PGPORT", "5433");
            env.put("PGDATABASE", "appdb");
            env.put("PGUSER", "app");
            env.put("PGPASSWORD", PW);
            env.put("PGSSLMODE", "require");
            env.put("PATH", "/usr/bin");
            Optional<ConnectionString> cs = ConnectionString.fromLibpqEnv(env);
            assertThat(cs).isPresent();
            assertThat(cs.get().params()).containsOnly(entry("host", "db.internal"), entry("port", "5433"),
                    entry("dbname", "appdb"), entry("user", "app"), entry("password", PW),
                    entry("sslmode", "require"));
            assertThat(cs.get().redacted()).contains("password=****").doesNotContain(PW);
            assertThat(cs.get().conninfoWithoutPassword()).doesNotContain(PW);
        }

        @Test
        void dbnameAloneIsEnough() {
            assertThat(ConnectionString.fromLibpqEnv(Map.of("PGDATABASE", "app"))).isPresent();
        }

        @Test
        void emptyOrUnrelatedEnvironmentGivesNothing() {
            assertThat(ConnectionString.fromLibpqEnv(Map.of())).isEmpty();
            assertThat(ConnectionString.fromLibpqEnv(Map.of("PGUSER", "app", "PGPASSWORD", PW))).isEmpty();
            assertThat(ConnectionString.fromLibpqEnv(Map.of("PGHOST", "  ", "PGDATABASE", ""))).isEmpty();
        }
    }
}
