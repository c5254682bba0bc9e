package io.pgbackup.pipeline.age;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.pgbackup.PgBackupException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public keys (X25519 {@code age1...}) a backup is encrypted to: any one of their identities
 * decrypts it. Parsed and checked once, before anything runs; a secret key given as a recipient
 * is refused without ever being echoed.
 */
public final class AgeRecipients {
    private final List<String> keys;
    private final List<RecipientStanzaWriter> writers;

    private AgeRecipients(List<String> keys, List<RecipientStanzaWriter> writers) {
        this.keys = List.copyOf(keys);
        this.writers = List.copyOf(writers);
    }

    /** One place keys were given: a flag or variable ({@code list}), or a recipients file. */
    public record Source(String name, String text, boolean file) {}

    /**
     * The recipients of all {@code sources}, deduplicated, in order.
     *
     * @throws PgBackupException exit 2 naming the setting (and the line or item) of a bad key
     */
    public static AgeRecipients parse(List<Source> sources) {
        Map<String, RecipientStanzaWriter> out = new LinkedHashMap<>();
        for (Source s : sources) {
            List<AgeKeys.Item> items = s.file() ? AgeKeys.fileLines(s.text(), s.name()) : AgeKeys.list(s.text(), s.name());
            if (items.isEmpty()) {
                throw PgBackupException.config(s.name() + " holds no recipient (age1... public keys, one per line)");
            }
            for (AgeKeys.Item item : items) {
                String k = item.text();
                if (AgeKeys.looksSecret(k)) {
                    throw PgBackupException.config(item.source() + " is a secret key (an identity), not a recipient: "
                            + "give its public key (age-keygen -y key.txt) and keep the secret key off this host");
                }
                if (k.startsWith("ssh-")) {
                    throw PgBackupException.config(item.source() + " is an SSH key: only X25519 age recipients "
                            + "(age1..., from age-keygen) are supported");
                }
                try {
                    out.putIfAbsent(k, X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(k));
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw PgBackupException.config(item.source() + " ('" + abbreviate(k) + "') is not a valid age "
                            + "recipient: expected an X25519 public key, age1 followed by 58 characters (age-keygen)");
                }
            }
        }
        return new AgeRecipients(new ArrayList<>(out.keySet()), new ArrayList<>(out.values()));
    }

    private static String abbreviate(String k) {
        return k.length() <= 16 ? k : k.substring(0, 12) + "...";
    }

    /** The public keys, as the manifest records them. */
    public List<String> keys() {
        return keys;
    }

    List<RecipientStanzaWriter> writers() {
        return writers;
    }

    @Override
    public String toString() {
        return String.join(", ", keys);
    }
}
