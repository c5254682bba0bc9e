package io.pgbackup.backup.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether a target database already has an object a selective restore needs (a schema, type,
 * function, extension, collation or sequence), looked up by the name the archive's entry gives.
 */
final class Prerequisites {
    private Prerequisites() {}

    /** True when {@code c}'s database has {@code e}; kinds it cannot look up count as present. */
    static boolean exists(Connection c, TocSelection.Entry e) throws SQLException {
        String ns = e.namespace();
        String tag = e.tag();
        return switch (e.desc()) {
            case "SCHEMA" -> query(c, "select exists (select 1 from pg_namespace where nspname = ?)", tag);
            case "TYPE", "SHELL TYPE", "DOMAIN" -> query(c, "select exists (select 1 from pg_type t join pg_namespace n on "
                    + "n.oid = t.typnamespace where n.nspname = ? and t.typname = ?)", ns, tag);
            case "EXTENSION" -> query(c, "select exists (select 1 from pg_extension where extname = ?)", tag);
            case "COLLATION" -> query(c, "select exists (select 1 from pg_collation x join pg_namespace n on "
                    + "n.oid = x.collnamespace where n.nspname = ? and x.collname = ?)", ns, tag);
            case "SEQUENCE" -> query(c, "select exists (select 1 from pg_class x join pg_namespace n on "
                    + "n.oid = x.relnamespace where x.relkind = 'S' and n.nspname = ? and x.relname = ?)", ns, tag);
            case "FUNCTION", "PROCEDURE", "AGGREGATE" -> function(c, ns, tag);
            case "SERVER" -> query(c, "select exists (select 1 from pg_foreign_server where srvname = ?)", tag);
            case "FOREIGN DATA WRAPPER" -> query(c, "select exists (select 1 from pg_foreign_data_wrapper where fdwname = ?)",
                    tag);
            case "PROCEDURAL LANGUAGE" -> query(c, "select exists (select 1 from pg_language where lanname = ?)", tag);
            case "ACCESS METHOD" -> query(c, "select exists (select 1 from pg_am where amname = ?)", tag);
            case "TEXT SEARCH CONFIGURATION" -> query(c, "select exists (select 1 from pg_ts_config x join pg_namespace n "
                    + "on n.oid = x.cfgnamespace where n.nspname = ? and x.cfgname = ?)", ns, tag);
            case "TEXT SEARCH DICTIONARY" -> query(c, "select exists (select 1 from pg_ts_dict x join pg_namespace n "
                    + "on n.oid = x.dictnamespace where n.nspname = ? and x.dictname = ?)", ns, tag);
            // "name USING method"
            case "OPERATOR CLASS" -> query(c, "select exists (select 1 from pg_opclass x join pg_namespace n on "
                    + "n.oid = x.opcnamespace join pg_am a on a.oid = x.opcmethod where n.nspname = ? "
                    + "and x.opcname || ' USING ' || a.amname = ?)", ns, tag);
            case "OPERATOR FAMILY" -> query(c, "select exists (select 1 from pg_opfamily x join pg_namespace n on "
                    + "n.oid = x.opfnamespace join pg_am a on a.oid = x.opfmethod where n.nspname = ? "
                    + "and x.opfname || ' USING ' || a.amname = ?)", ns, tag);
            default -> true; // operators, casts, conversions: assumed there (their tags name no lookup key)
        };
    }

    /**
     * True when {@code c}'s database has the relation or constraint {@code e} names (a table a
     * foreign key points to, the key it references), so what needs it can be restored there.
     */
    static boolean hasRelation(Connection c, TocSelection.Entry e) throws SQLException {
        return switch (e.desc()) {
            case "TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE", "INDEX" -> query(c,
                    "select to_regclass(quote_ident(?) || '.' || quote_ident(?)) is not null", e.namespace(), e.tag());
            // a constraint's tag is "table constraint"
            case "CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT" -> query(c, "select exists (select 1 from pg_constraint x "
                    + "join pg_class r on r.oid = x.conrelid join pg_namespace n on n.oid = r.relnamespace "
                    + "where n.nspname = ? and r.relname || ' ' || x.conname = ?)", e.namespace(), e.tag());
            default -> false;
        };
    }

    /**
     * A function by pg_dump's tag, {@code name(argument types)}. Before PostgreSQL 16 an argument
     * type that does not exist makes to_regprocedure fail instead of answering null: then the
     * function does not exist either.
     */
    private static boolean function(Connection c, String ns, String tag) throws SQLException {
        int paren = tag.indexOf('(');
        if (paren <= 0) {
            return true;
        }
        String args = tag.substring(paren).equals("(*)") ? "()" : tag.substring(paren); // an aggregate of no arguments
        try {
            return query(c, "select to_regprocedure(quote_ident(?) || '.' || quote_ident(?) || ?) is not null", ns,
                    tag.substring(0, paren), args);
        } catch (SQLException e) {
            if (!c.getAutoCommit()) {
                throw e;
            }
            return false;
        }
    }

    /**
     * True when {@code c}'s database already has what restoring {@code e} creates, by name: a
     * relation, a constraint's index, a type or a function.
     */
    static boolean present(Connection c, TocSelection.Entry e) throws SQLException {
        return switch (e.desc()) {
            case "TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE", "INDEX" -> hasRelation(c, e);
            case "CONSTRAINT" -> {
                // a primary key or unique constraint makes an index of its own name: "table constraint"
                int sp = e.tag().lastIndexOf(' ');
                yield hasRelation(c, e) || sp > 0 && query(c, "select to_regclass(quote_ident(?) || '.' || quote_ident(?)) "
                        + "is not null", e.namespace(), e.tag().substring(sp + 1));
            }
            default -> exists(c, e);
        };
    }

    private static boolean query(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
