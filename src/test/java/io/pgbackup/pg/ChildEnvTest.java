package io.pgbackup.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEnvTest {
    @Test
    void childrenGetWhatShellsAndLibpqNeedAndNoSecret() {
        Map<String, String> parent = new HashMap<>();
        parent.put("PATH", "/usr/bin");
        parent.put("HOME", "/home/app");
        parent.put("LANG", "C.UTF-8");
        parent.put("PGSSLROOTCERT", "/etc/ca.pem");
        parent.put("PGPASSWORD", "secret");
        parent.put("PGPASSFILE", "/home/app/.pgpass");
        parent.put("PG_URI", "postgres://u:secret@h/db");
        parent.put("DATABASE_URL", "postgres://u:secret@h/db");
        parent.put("AWS_SECRET_ACCESS_KEY", "aws");
        parent.put("AWS_ACCESS_KEY_ID", "id");
        parent.put("WEBHOOK_URL", "https://hooks/x");
        parent.put("AGE_IDENTITY", "AGE-SECRET-KEY-1");
        Map<String, String> overrides = new HashMap<>();
        overrides.put("PGPASSFILE", "/tmp/pgbackup-root/pgpass-1");
        overrides.put("PGPASSWORD", null);
        Map<String, String> env = ChildEnv.build(parent, overrides);
        assertThat(env).containsOnlyKeys("PATH", "HOME", "LANG", "PGSSLROOTCERT", "PGPASSFILE")
                .containsEntry("PGPASSFILE", "/tmp/pgbackup-root/pgpass-1");
    }
}
