package io.pgbackup.pg;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The environment a child program (pg_dump, pg_restore, pg_dumpall, psql) starts with: built from
 * nothing, not inherited. It gets what a shell and libpq need (PATH, HOME for
 * {@code ~/.postgresql}, locale, time zone) and libpq's own non-secret variables; never
 * PGPASSWORD, PG_URI, DATABASE_URL, AWS keys, webhook or ping URLs or age identities, all of
 * which stay in this process ({@code /proc/<pid>/environ} of a child is readable by its user).
 */
public final class ChildEnv {
    private static final Set<String> SYSTEM = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_ALL",
            "LC_CTYPE", "LC_MESSAGES", "LC_COLLATE", "LC_NUMERIC", "LC_TIME", "TZ", "TMPDIR");
    /** libpq's documented variables (and pg_dump's colour ones), less the password and the passfile. */
    private static final Set<String> LIBPQ = Set.of("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER",
            "PGREQUIREAUTH", "PGCHANNELBINDING", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGAPPNAME", "PGSSLMODE",
            "PGREQUIRESSL", "PGSSLCOMPRESSION", "PGSSLCERT", "PGSSLKEY", "PGSSLCERTMODE", "PGSSLROOTCERT", "PGSSLCRL",
            "PGSSLCRLDIR", "PGSSLSNI", "PGREQUIREPEER", "PGSSLMINPROTOCOLVERSION", "PGSSLMAXPROTOCOLVERSION",
            "PGGSSENCMODE", "PGKRBSRVNAME", "PGGSSLIB", "PGGSSDELEGATION", "PGCONNECT_TIMEOUT", "PGCLIENTENCODING",
            "PGTARGETSESSIONATTRS", "PGLOADBALANCEHOSTS", "PGDATESTYLE", "PGTZ", "PGGEQO", "PGSYSCONFDIR",
            "PGLOCALEDIR", "PG_COLOR", "PG_COLORS");

    private ChildEnv() {}

    /** The allowed subset of {@code parent}, with {@code overrides} applied (a null value removes). */
    public static Map<String, String> build(Map<String, String> parent, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        parent.forEach((k, v) -> {
            if (SYSTEM.contains(k) || LIBPQ.contains(k)) {
                env.put(k, v);
            }
        });
        overrides.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        return env;
    }
}
