package io.pgbackup.pipeline.age;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * The private keys ({@code AGE-SECRET-KEY-1...}) restores, downloads, drills and
 * {@code verify --decrypt} read encrypted backups with. Their text is never logged or echoed;
 * only the public keys they belong to are, to say which recipients matched.
 */
public final class AgeIdentities {
    private static final AgeIdentities NONE = new AgeIdentities(List.of(), List.of());
    private final List<RecipientStanzaReader> readers;
    private final List<String> publicKeys;

    private AgeIdentities(List<RecipientStanzaReader> readers, List<String> publicKeys) {
        this.readers = List.copyOf(readers);
        this.publicKeys = List.copyOf(publicKeys);
    }

    public static AgeIdentities none() {
        return NONE;
    }

    /** One place identities were given: a variable holding the key(s), or an identity file. */
    public record Source(String name, String text) {}

    /**
     * The identities of all {@code sources} (age's identity file format: one key per line,
     * {@code #} comments). A bad line is exit 2 naming the setting and the line, never its text.
     */
    public static AgeIdentities parse(List<Source> sources) {
        List<RecipientStanzaReader> readers = new ArrayList<>();
        List<String> publics = new ArrayList<>();
        for (Source s : sources) {
            List<AgeKeys.Item> items = AgeKeys.fileLines(s.text(), s.name());
            if (items.isEmpty()) {
                throw PgBackupException.config(s.name() + " holds no identity (AGE-SECRET-KEY-1..., from age-keygen)");
            }
            for (AgeKeys.Item item : items) {
                String k = item.text();
                if (k.startsWith(AgeKeys.RECIPIENT_PREFIX)) {
                    throw PgBackupException.config(item.source() + " is a public key (a recipient): decrypting needs the "
                            + "secret key, the AGE-SECRET-KEY-1... line of the file age-keygen wrote");
                }
                try {
                    readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(k));
                    publics.add(publicKeyOf(k));
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw PgBackupException.config(item.source() + " is not an age X25519 identity (AGE-SECRET-KEY-1..., "
                            + "from age-keygen; plugin and SSH identities are not supported)");
                }
            }
        }
        return new AgeIdentities(readers, publics);
    }

    /** {@code age-keygen -y}: the recipient of a secret key. */
    static String publicKeyOf(String secret) throws GeneralSecurityException {
        SecretKeySpec spec = new SecretKeySpec(secret.strip().getBytes(StandardCharsets.US_ASCII), "X25519");
        return new X25519KeyFactory().translateKey(spec).toString();
    }

    public boolean isEmpty() {
        return readers.isEmpty();
    }

    /** The public keys of these identities. */
    public List<String> publicKeys() {
        return publicKeys;
    }

    List<RecipientStanzaReader> readers() {
        return readers;
    }

    /**
     * Refuses, before anything is read, when none of these identities belongs to one of
     * {@code recipients} (exit 14, naming the recipients, so the operator knows which key to fetch).
     */
    public void requireFor(List<String> recipients, String what) {
        for (String p : publicKeys) {
            if (recipients.contains(p)) {
                return;
            }
        }
        String to = recipients.isEmpty() ? "(no recipients recorded)" : String.join(", ", recipients);
        if (isEmpty()) {
            throw new PgBackupException(ExitCode.KEY_REQUIRED, what + " is encrypted to " + to + ": give the identity "
                    + "(private key) of one of them with --identity FILE, AGE_IDENTITY_FILE or AGE_IDENTITY");
        }
        throw new PgBackupException(ExitCode.KEY_REQUIRED, what + " is encrypted to " + to + ", and none of the "
                + publicKeys.size() + " identities given belongs to them (they are " + String.join(", ", publicKeys)
                + "): give the identity of one of those recipients (after a key rotation, keep the old key too)");
    }
}
