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
            case "TYPE", "DOMAIN" -> query(c, "select exists (select 1 from pg_type t join pg_namespace n on "
                    + "n.oid = t.typnamespace where n.nspname = ? and t.typname = ?)", ns, tag);
            case "EXTENSION" -> query(c, "select exists (select 1 from pg_extension where extname = ?)", tag);
            case "COLLATION" -> query(c, "select exists (select 1 from pg_collation x join pg_namespace n on "
                    + "n.oid = x.collnamespace where n.nspname = ? and x.collname = ?)", ns, tag);
            case "SEQUENCE" -> query(c, "select exists (select 1 from pg_class x join pg_namespace n on "
                    + "n.oid = x.relnamespace where x.relkind = 'S' and n.nspname = ? and x.relname = ?)", ns, tag);
            case "FUNCTION", "PROCEDURE", "AGGREGATE" -> {
                // the tag is name(argument types), as format_type writes them
                int paren = tag.indexOf('(');
                yield paren > 0 && query(c, "select to_regprocedure(quote_ident(?) || '.' || quote_ident(?) || ?) is not null",
                        ns, tag.substring(0, paren), tag.substring(paren));
            }
            default -> true;
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
