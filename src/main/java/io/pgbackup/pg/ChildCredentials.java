package io.pgbackup.pg;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * How a child program (pg_dump, pg_restore, psql) gets connected: {@code --dbname=<conninfo>}
 * without the password on its argv, and the password in a 0600 passfile named by PGPASSFILE.
 * An inherited PGPASSWORD is removed so no child sees a password in its environment.
 */
public record ChildCredentials(ConnectionString cs, PassFile passFile) implements AutoCloseable {

    public static ChildCredentials of(ConnectionString cs) throws IOException {
        return new ChildCredentials(cs, cs.password().isPresent() ? PassFile.create(cs.password().get()) : null);
    }

    /** The argv element that selects the database. */
    public String dbnameArg() {
        return "--dbname=" + cs.childConninfo();
    }

    /** Environment overrides for the child (null values remove a variable). */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PGPASSWORD", null);
        if (passFile != null) {
            env.put("PGPASSFILE", passFile.path().toString());
        }
        return env;
    }

    @Override
    public void close() throws IOException {
        if (passFile != null) {
            passFile.close();
        }
    }
}
