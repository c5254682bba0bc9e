package io.pgbackup.pipeline.age;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgeKeysTest {
    static final TestKeys A = TestKeys.generate();
    static final TestKeys B = TestKeys.generate();

    static AgeRecipients recipients(String text, boolean file) {
        return AgeRecipients.parse(List.of(new AgeRecipients.Source(file ? "AGE_RECIPIENTS_FILE r.txt" : "AGE_RECIPIENTS",
                text, file)));
    }

    static void assertConfig(Runnable r, String... contains) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(PgBackupException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
            for (String c : contains) {
                assertThat(e.getMessage()).contains(c);
            }
        });
    }

    @Test
    void recipientsAreSeparatedByCommasBlanksOrNewlinesAndDeduplicated() {
        AgeRecipients r = recipients(" " + A.recipient() + ",\n" + B.recipient() + "  " + A.recipient() + "\n", false);
        assertThat(r.keys()).containsExactly(A.recipient(), B.recipient());
    }

    @Test
    void aRecipientsFileHasOneKeyPerLineWithComments() {
        AgeRecipients r = recipients("# ops team\n" + A.recipient() + "\n\n# dr site\n" + B.recipient() + "\r\n", true);
        assertThat(r.keys()).containsExactly(A.recipient(), B.recipient());
    }

    @Test
    void aSecretKeyGivenAsARecipientIsRefusedWithoutEchoingIt() {
        assertConfig(() -> recipients(A.recipient() + "," + A.secret(), false), "AGE_RECIPIENTS item 2", "is a secret key",
                "age-keygen -y");
        assertThatThrownBy(() -> recipients(A.secret(), false)).hasMessageNotContaining(A.secret())
                .hasMessageNotContaining(A.secret().substring(15, 30));
        assertConfig(() -> recipients("# x\n" + A.secret().toLowerCase(), true), "line 2", "secret key");
    }

    @Test
    void malformedAndUnsupportedRecipients() {
        assertConfig(() -> recipients("age1notavalidkey", false), "AGE_RECIPIENTS item 1", "not a valid age recipient");
        assertConfig(() -> recipients(A.recipient().substring(0, 40), true), "line 1", "not a valid age recipient");
        assertConfig(() -> recipients("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", true), "SSH key");
        assertConfig(() -> recipients("# only a comment\n", true), "holds no recipient");
        // a recipient with a corrupted checksum (bech32 catches single-character errors)
        String bad = A.recipient().substring(0, 20) + (A.recipient().charAt(20) == 'q' ? 'p' : 'q') + A.recipient().substring(21);
        assertConfig(() -> recipients(bad, false), "not a valid age recipient");
    }

    @Test
    void identitiesParseAgeKeygenFilesAndKnowTheirPublicKeys() {
        AgeIdentities ids = AgeIdentities.parse(List.of(new AgeIdentities.Source("--identity key.txt",
                A.identityFile() + B.identityFile())));
        assertThat(ids.publicKeys()).containsExactly(A.recipient(), B.recipient());
        assertThat(AgeIdentities.none().isEmpty()).isTrue();
    }

    @Test
    void aBadIdentityNamesItsLineAndNeverItsText() {
        String broken = A.secret().substring(0, A.secret().length() - 3) + "QQQ";
        assertThatThrownBy(() -> AgeIdentities.parse(List.of(new AgeIdentities.Source("AGE_IDENTITY", "# k\n" + broken))))
                .isInstanceOf(PgBackupException.class).hasMessageContaining("AGE_IDENTITY line 2")
                .hasMessageNotContaining(broken).hasMessageNotContaining(broken.substring(15, 40));
        assertConfig(() -> AgeIdentities.parse(List.of(new AgeIdentities.Source("--identity pub.txt", A.recipient()))),
                "is a public key");
        assertConfig(() -> AgeIdentities.parse(List.of(new AgeIdentities.Source("AGE_IDENTITY", "\n# nothing\n"))),
                "holds no identity");
    }

    @Test
    void requireForNamesTheRecipientsWhenNoIdentityMatches() {
        List<String> to = List.of(A.recipient());
        A.identities().requireFor(to, "backup s"); // matches: no exception
        assertThatThrownBy(() -> AgeIdentities.none().requireFor(to, "backup 2026/12/01/03-00-00"))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.KEY_REQUIRED))
                .hasMessageContaining("backup 2026/12/01/03-00-00 is encrypted to " + A.recipient())
                .hasMessageContaining("--identity");
        assertThatThrownBy(() -> B.identities().requireFor(to, "backup s"))
                .isInstanceOfSatisfying(PgBackupException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.KEY_REQUIRED))
                .hasMessageContaining(A.recipient()).hasMessageContaining(B.recipient()).hasMessageNotContaining(B.secret());
    }
}
