package io.pgbackup;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The tool's own version, filtered into {@code pgbackup.properties} at build time. */
public final class Version {
    private Version() {}

    public static String tool() {
        try (InputStream in = Version.class.getResourceAsStream("/pgbackup.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
