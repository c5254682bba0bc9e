package io.pgbackup.pg;

import io.pgbackup.PgBackupException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cleaned, parsed Postgres connection string, held as libpq keywords ({@code host},
 * {@code port}, {@code dbname}, {@code user}, {@code password}, {@code sslmode}, ...).
 *
 * <p>Accepts {@code postgres://} and {@code postgresql://} URIs (multi-host included) and
 * {@code key=value} conninfo. {@link #toString()} and {@link #redacted()} never show the
 * password; only {@link #password()} does, for the passfile and the JDBC properties.
 */
public final class ConnectionString {
    private final Map<String, String> params;
    private final boolean uriForm;

    ConnectionString(Map<String, String> params, boolean uriForm) {
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.uriForm = uriForm;
    }

    /**
     * Cleans and parses a value as operators paste it into secrets: surrounding whitespace and
     * newlines go, then one layer of matching double or single quotes, then whitespace again.
     *
     * @param source the setting's name for error messages ({@code PG_URI}, {@code --target})
     * @throws PgBackupException (exit 2) naming {@code source} when the value is not a connection string
     */
    public static ConnectionString parse(String raw, String source) {
        String s = clean(raw);
        if (s.isEmpty()) {
            throw PgBackupException.config(source + " is empty: set it to a connection string such as "
                    + "postgres://user:password@host:5432/dbname");
        }
        char last = s.charAt(s.length() - 1);
        char first = s.charAt(0);
        if (first == '"' || first == '\'' || (last == '"' || last == '\'') && s.indexOf(last) == s.length() - 1
                && !s.matches("(?s)^[A-Za-z_]+\\s*=.*")) {
            // One quote at one end only: a paste went wrong; never let it become part of a name.
            throw PgBackupException.config(source + " has an unbalanced " + (first == '"' || first == '\'' ? first : last)
                    + " quote at its " + (first == '"' || first == '\'' ? "start" : "end")
                    + ": remove it (quotes around the whole value are fine)");
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        try {
            if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
                return checked(new ConnectionString(UriParser.parse(s.substring(s.indexOf("://") + 3)), true), source);
            }
            if (s.matches("(?s)^[A-Za-z_]+\\s*=.*")) {
                return checked(new ConnectionString(ConninfoParser.parse(s), false), source);
            }
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(source + " is not a valid connection string: " + e.getMessage()
                    + " (expected postgres://user:password@host:5432/dbname)");
        }
        int colon = s.indexOf(':');
        String start = colon > 0 && colon < 20 ? s.substring(0, colon + 1) : "";
        throw PgBackupException.config(source + " is not a Postgres connection string"
                + (start.isEmpty() ? "" : " (it starts with '" + start + "')")
                + ": use postgres://user:password@host:5432/dbname, postgresql://..., or key=value conninfo "
                + "such as 'host=db dbname=app user=app'");
    }

    private static final java.util.Set<String> SSL_MODES =
            java.util.Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** Values libpq would refuse at connect time are configuration errors now, naming the setting. */
    private static ConnectionString checked(ConnectionString cs, String source) {
        cs.get("sslmode").ifPresent(m -> {
            if (!SSL_MODES.contains(m)) {
                throw PgBackupException.config(source + ": sslmode '" + m + "' is not one of disable, allow, prefer, "
                        + "require, verify-ca, verify-full");
            }
        });
        cs.get("connect_timeout").ifPresent(t -> {
            if (!t.matches("\\d{1,6}")) {
                throw PgBackupException.config(source + ": connect_timeout must be a number of seconds; got '" + t + "'");
            }
        });
        return cs;
    }

    /**
     * The configured source, if any: PG_URI, else DATABASE_URL, else libpq's PG* variables. The
     * commands that protect or label it (restore, drill, prune) read it here.
     */
    public static Optional<ConnectionString> configured(Map<String, String> env) {
        for (String v : List.of("PG_URI", "DATABASE_URL")) {
            String s = env.get(v);
            if (s != null && !s.isBlank()) {
                return Optional.of(parse(s, v));
            }
        }
        return fromLibpqEnv(env);
    }

    /** From libpq's own environment variables (PGHOST, PGPORT, ...), the last fallback. */
    public static Optional<ConnectionString> fromLibpqEnv(Map<String, String> env) {
        Map<String, String> p = new LinkedHashMap<>();
        Map<String, String> names = Map.of("PGHOST", "host", "PGHOSTADDR", "hostaddr", "PGPORT", "port",
                "PGDATABASE", "dbname", "PGUSER", "user", "PGPASSWORD", "password", "PGSSLMODE", "sslmode",
                "PGAPPNAME", "application_name", "PGCONNECT_TIMEOUT", "connect_timeout");
        names.forEach((var, key) -> {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                p.put(key, v.strip());
            }
        });
        return p.containsKey("host") || p.containsKey("dbname") || p.containsKey("hostaddr")
                ? Optional.of(checked(new ConnectionString(p, false), "PGSSLMODE/PGCONNECT_TIMEOUT"))
                : Optional.empty();
    }

    static String clean(String raw) {
        if (raw == null) {
            return "";
        }
        String s = raw.strip();
        if (s.length() >= 2) {
            char first = s.charAt(0);
            if ((first == '"' || first == '\'') && s.charAt(s.length() - 1) == first) {
                s = s.substring(1, s.length() - 1).strip();
            }
        }
        return s;
    }

    public Map<String, String> params() {
        return params;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(params.get(key)).filter(v -> !v.isEmpty());
    }

    public Optional<String> password() {
        return get("password");
    }

    /** The database name libpq would use: dbname, else the user name. */
    public String database() {
        return get("dbname").orElse(user());
    }

    public String user() {
        return get("user").orElse(System.getProperty("user.name"));
    }

    /** A copy with one keyword replaced (or removed when {@code value} is null). */
    public ConnectionString with(String key, String value) {
        Map<String, String> p = new LinkedHashMap<>(params);
        if (value == null) {
            p.remove(key);
        } else {
            p.put(key, value);
        }
        return new ConnectionString(p, uriForm);
    }

    /** Conninfo without the password, safe for a child's argv ({@code pg_dump --dbname=...}). */
    public String conninfoWithoutPassword() {
        return conninfo(params);
    }

    /**
     * What a child program connects with: the conninfo without the password, plus a connect
     * timeout and TCP keepalives unless set, so a server that accepts the connection and never
     * answers, or a network that drops mid-dump, fails in bounded time.
     */
    public String childConninfo() {
        Map<String, String> all = new LinkedHashMap<>(params);
        all.putIfAbsent("connect_timeout", String.valueOf(Database.DEFAULT_CONNECT_TIMEOUT_SECONDS));
        all.putIfAbsent("keepalives", "1");
        all.putIfAbsent("keepalives_idle", "60");
        all.putIfAbsent("keepalives_interval", "10");
        all.putIfAbsent("keepalives_count", "6");
        return conninfo(all);
    }

    private static String conninfo(Map<String, String> params) {
        StringBuilder b = new StringBuilder();
        params.forEach((k, v) -> {
            if (!k.equals("password")) {
                b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(ConninfoParser.quote(v));
            }
        });
        return b.toString();
    }

    /** For logs and manifests: the password replaced by {@code ****}. */
    public String redacted() {
        if (!uriForm) {
            StringBuilder b = new StringBuilder();
            params.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=')
                    .append(k.equals("password") ? "****" : ConninfoParser.quote(v)));
            return b.toString();
        }
        return UriParser.render(params, "****");
    }

    @Override
    public String toString() {
        return redacted();
    }

    static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
