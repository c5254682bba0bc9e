package io.pgbackup.it;

import java.sql.SQLException;

/** Databases with content that is awkward to dump and restore, and big ones for failure tests. */
public final class SampleData {
    private SampleData() {}

    /** Everything a faithful backup must reproduce. */
    public static final String AWKWARD = String.join("\n",
            "create schema \"Sales Ünïcode\";",
            "create schema audit;",
            "create type mood as enum ('sad', 'ok', 'happy');",
            "create table \"Sales Ünïcode\".\"Order Items\" (id bigserial primary key, \"Größe\" text, qty int not null,",
            "  price numeric(12,2), at timestamptz default '2026-01-01 00:00:00+00', m mood, blob bytea, doc jsonb);",
            "insert into \"Sales Ünïcode\".\"Order Items\" (\"Größe\", qty, price, m, blob, doc) values",
            "  ('klein', 1, 9.99, 'ok', '\\x00ff10'::bytea, '{\"a\": [1, 2, null]}'),",
            "  (null, 2, null, null, null, null),",
            "  ('quote''s \"and\" tab\t', 3, 0.01, 'happy', ''::bytea, '{}'),",
            "  ('日本語 ✓', 4, 123456.78, 'sad', decode(repeat('ab', 1000), 'hex'), '[\"x\"]');",
            "create index on \"Sales Ünïcode\".\"Order Items\" (qty);",
            "create table audit.log (id int generated always as identity, msg text, at timestamptz default now());",
            "create function audit.trg() returns trigger language plpgsql as $$",
            "begin insert into audit.log(msg) values (tg_op || ' ' || new.id); return new; end $$;",
            "create trigger t_audit after insert on \"Sales Ünïcode\".\"Order Items\" for each row execute function audit.trg();",
            "insert into \"Sales Ünïcode\".\"Order Items\" (qty) values (5);",
            "create view public.big_orders as select id, qty from \"Sales Ünïcode\".\"Order Items\" where qty > 2;",
            "create sequence public.counter start 42; select nextval('public.counter');",
            "create table public.measurements (id int, at date not null, v double precision) partition by range (at);",
            "create table public.measurements_2026 partition of public.measurements for values from ('2026-01-01') to ('2027-01-01');",
            "create table public.measurements_2027 partition of public.measurements for values from ('2027-01-01') to ('2028-01-01');",
            "insert into public.measurements select g, date '2026-06-01' + g, g * 0.5 from generate_series(1, 400) g;",
            "select lo_from_bytea(0, 'large object payload'::bytea);",
            "select lo_from_bytea(0, decode(repeat('cafe', 50000), 'hex'));",
            "comment on table audit.log is 'who did what';",
            "analyze;");

    public static void awkward(PgServer pg, String db) throws SQLException {
        pg.exec(db, AWKWARD);
    }

    /**
     * About {@code mb} MiB of incompressible bytea (SHA-512 output), so the archive is about as
     * big as the data and a run lasts long enough to be interrupted mid-stream.
     */
    public static void big(PgServer pg, String db, int mb) throws SQLException {
        long rows = mb * 1024L * 1024 / 128;
        pg.exec(db, "create table big (id bigint primary key, payload bytea);"
                + "insert into big select g, sha512(int8send(g)) || sha512(int8send(-g)) from generate_series(1, " + rows + ") g;"
                + "analyze big;");
    }
}
