package io.pgbackup.backup.restore;

import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import io.pgbackup.pg.Database;
import io.pgbackup.pg.SqlScript;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server backup's globals script ({@code pg_dumpall --globals-only}): parsed into statements
 * (psql meta-commands such as {@code \restrict} dropped) and applied to a server over JDBC with
 * two rules a fresh {@code psql -f} does not have: a role that already exists is kept as it is
 * (its {@code CREATE ROLE}, {@code ALTER ROLE} and comments are skipped, with a note), and the
 * connected user's own role is never altered.
 */
public final class Globals {
    private static final String NAME = "(\"(?:[^\"]|\"\")+\"|[^\\s;]+)";
    private static final Pattern CREATE_ROLE = Pattern.compile("(?is)^CREATE\\s+ROLE\\s+" + NAME + ".*");
    private static final Pattern ALTER_ROLE = Pattern.compile("(?is)^ALTER\\s+ROLE\\s+" + NAME + "\\s.*");
    private static final Pattern ROLE_OBJECT = Pattern.compile("(?is)^(?:COMMENT|SECURITY\\s+LABEL)\\s+(?:FOR\\s+\\S+\\s+)?ON\\s+ROLE\\s+"
            + NAME + ".*");

    private Globals() {}

    /** The statements of a globals script, meta-commands and comments dropped. */
    public static List<String> statements(String script) {
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            if (!line.startsWith("\\")) { // psql meta-commands (restrict, unrestrict, connect): not SQL
                sql.append(line).append('\n');
            }
        }
        return SqlScript.split(sql.toString());
    }

    /** The roles a globals script creates. */
    public static List<String> roles(List<String> statements) {
        List<String> out = new ArrayList<>();
        for (String s : statements) {
            Matcher m = CREATE_ROLE.matcher(s.strip());
            if (m.matches()) {
                out.add(unquote(m.group(1)));
            }
        }
        return out;
    }

    static String unquote(String name) {
        return name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name.toLowerCase(Locale.ROOT);
    }

    /** The role a statement is about when it creates, alters or comments on one; else null. */
    static String roleOf(String statement) {
        for (Pattern p : List.of(CREATE_ROLE, ALTER_ROLE, ROLE_OBJECT)) {
            Matcher m = p.matcher(statement.strip());
            if (m.matches()) {
                return unquote(m.group(1));
            }
        }
        return null;
    }

    /**
     * Applies {@code statements} on {@code c}; returns the notes (roles kept as they were). A
     * statement the server refuses fails the run, naming it.
     */
    public static List<String> apply(Connection c, List<String> statements) {
        List<String> notes = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            Set<String> existing = new HashSet<>();
            String me;
            try (ResultSet rs = st.executeQuery("select rolname from pg_roles")) {
                while (rs.next()) {
                    existing.add(rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("select current_user")) {
                rs.next();
                me = rs.getString(1);
            }
            Set<String> noted = new HashSet<>();
            for (String s : statements) {
                String role = roleOf(s);
                if (role != null && (existing.contains(role) || role.equals(me))) {
                    if (noted.add(role)) {
                        notes.add(role.equals(me) ? "role " + role + " is the restoring user: not altered"
                                : "role " + role + " exists on the target: kept as it is");
                    }
                    continue;
                }
                try {
                    st.execute(s);
                } catch (SQLException e) {
                    throw new PgBackupException(ExitCode.RESTORE_FAILED, "applying the globals failed at '"
                            + abbreviate(s) + "': " + Database.firstLine(e.getMessage()), e);
                }
            }
        } catch (SQLException e) {
            throw new PgBackupException(ExitCode.DATABASE, "cannot apply the globals: " + Database.firstLine(e.getMessage()), e);
        }
        return notes;
    }

    private static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        // never echo a password: ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'
        one = one.replaceAll("(?i)PASSWORD\\s+'[^']*'", "PASSWORD '****'");
        return one.length() <= 120 ? one : one.substring(0, 117) + "...";
    }
}
