package io.pgbackup.pipeline.age;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import java.security.KeyPair;

/** Fresh X25519 key pairs: {@code secret} (AGE-SECRET-KEY-1...) and {@code recipient} (age1...). */
public record TestKeys(String secret, String recipient) {
    public static TestKeys generate() {
        try {
            KeyPair kp = new X25519KeyPairGenerator().generateKeyPair();
            return new TestKeys(kp.getPrivate().toString(), kp.getPublic().toString());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public AgeRecipients recipients() {
        return AgeRecipients.parse(java.util.List.of(new AgeRecipients.Source("test", recipient, false)));
    }

    public AgeIdentities identities() {
        return AgeIdentities.parse(java.util.List.of(new AgeIdentities.Source("test", secret)));
    }

    /** An age identity file as age-keygen writes it. */
    public String identityFile() {
        return "# created: 2026-12-01T00:00:00Z\n# public key: " + recipient + "\n" + secret + "\n";
    }
}
