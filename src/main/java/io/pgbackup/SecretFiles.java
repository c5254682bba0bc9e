package io.pgbackup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Docker/Kubernetes secrets convention: for every secret variable {@code X}, {@code X_FILE}
 * names a file holding its value (a mounted secret). The file is read once at start, a trailing
 * newline is dropped, and the value then goes through the same cleaning as the variable would.
 * Setting both {@code X} and {@code X_FILE} is a configuration error: which one wins would be a guess.
 */
public final class SecretFiles {
    /** Every variable pgbackup reads that holds a secret (credentials, URLs with tokens, keys). */
    public static final List<String> SECRETS = List.of("PG_URI", "DATABASE_URL", "PGPASSWORD", "RESTORE_PG_URI",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ID", "AWS_SECRET",
            "PING_URL", "DRILL_PING_URL", "STATUS_PING_URL", "PRUNE_PING_URL", "WEBHOOK_URL", "WEBHOOK_SECRET",
            "PUSHGATEWAY_URL", "AGE_IDENTITY", "COPY_PING_URL",
            // the second store's keys
            "COPY_AWS_ACCESS_KEY_ID", "COPY_AWS_SECRET_ACCESS_KEY", "COPY_AWS_SESSION_TOKEN", "COPY_AWS_ID",
            "COPY_AWS_SECRET");

    private SecretFiles() {}

    /** {@code env} with every {@code X_FILE} of a secret replaced by {@code X} and the file's content. */
    public static Map<String, String> resolve(Map<String, String> env) {
        Map<String, String> out = new HashMap<>(env);
        for (String name : SECRETS) {
            String file = env.get(name + "_FILE");
            if (file == null || file.isBlank()) {
                continue;
            }
            if (env.get(name) != null && !env.get(name).isBlank()) {
                throw PgBackupException.config(name + " and " + name + "_FILE are both set: keep one");
            }
            try {
                String v = Files.readString(Path.of(file.strip()), StandardCharsets.UTF_8);
                if (v.endsWith("\n")) {
                    v = v.substring(0, v.length() - (v.endsWith("\r\n") ? 2 : 1));
                }
                if (v.isBlank()) {
                    throw PgBackupException.config(name + "_FILE " + file.strip() + " is empty");
                }
                out.put(name, v);
            } catch (IOException e) {
                throw PgBackupException.config(name + "_FILE: cannot read " + file.strip() + ": " + e.getMessage());
            }
            out.remove(name + "_FILE");
        }
        return out;
    }
}
