package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.ExitCode;
import io.pgbackup.pipeline.age.TestKeys;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "Someone dropped orders at 14:02": {@code restore --table/--schema/--exclude-table} from a real
 * backup into a scratch database and back into the live one, from one-database and encrypted
 * server backups, against a database with the parts a table brings along (an enum column, a
 * trigger and its function, a policy, grants, a comment, an owned sequence, foreign keys both ways,
 * a view over it, a second schema with a table of the same name).
 */
class SelectiveRestoreIT {
    static final TestKeys KEY = TestKeys.generate();
    static PgServer pg;
    static S3Server s3;
    static String shop;
    static String bucket;
    static String serverBucket;

    static final String SCHEMA = """
            do $$ begin create role clerk; exception when duplicate_object then null; end $$;
            create schema sales;
            create type status as enum ('new', 'paid');
            create function touch() returns trigger language plpgsql as
              $f$ begin new.updated := now(); return new; end $f$;
            create function grade(s status) returns int immutable language sql as $f$ select 1 $f$;
            create table customers (id serial primary key, name text not null);
            create table orders (id bigserial primary key, customer int references customers(id),
              st status default 'new' check (grade(st) > 0), total numeric check (total >= 0), updated timestamptz);
            create index orders_customer_idx on orders (customer);
            create trigger orders_touch before update on orders for each row execute function touch();
            comment on table orders is 'the orders';
            grant select on orders to clerk;
            alter table orders enable row level security;
            create policy everyone on orders using (true);
            create table order_lines (id serial primary key, order_id bigint references orders(id), qty int);
            create view big_orders as select * from orders where total > 100;
            create table sales.orders (id int primary key, amount int);
            create table sales.targets (id int primary key);
            insert into customers (name) select 'c' || g from generate_series(1, 10) g;
            insert into orders (customer, total) select 1 + g % 10, g from generate_series(1, 500) g;
            insert into order_lines (order_id, qty) select g, 1 from generate_series(1, 500) g;
            insert into sales.orders select g, g from generate_series(1, 7) g;
            insert into sales.targets values (1);
            create table events (id int, at date, primary key (id, at)) partition by range (at);
            create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01');
            create table events_2026 partition of events for values from ('2026-01-01') to ('2027-01-01');
            insert into events select g, date '2025-06-01' + g from generate_series(1, 400) g;
            """;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        s3 = TestRig.get().s3();
        shop = pg.createDatabase("shop");
        pg.exec(shop, SCHEMA);
        bucket = s3.createBucket("sel");
        RestoreFixtures.realBackup(bucket, "sel", shop);
        serverBucket = s3.createBucket("selsrv");
        Map<String, String> env = serverEnv();
        env.put("AGE_RECIPIENTS", KEY.recipient());
        Cli.Result r = Cli.run(env, "backup");
        assertThat(r.code()).as(r.err()).isZero();
    }

    static Map<String, String> env() {
        return RestoreFixtures.env(bucket, "sel", shop);
    }

    static Map<String, String> serverEnv() {
        Map<String, String> env = RestoreFixtures.env(serverBucket, "srv", shop);
        env.put("PG_URI", pg.uri("postgres"));
        env.put("PG_DATABASES", shop);
        return env;
    }

    static String one(String db, String sql) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** What makes orders the table it was, as the catalog of {@code db} has it. */
    static void assertOrdersWhole(String db) throws Exception {
        assertThat(one(db, "select count(*) || ' ' || sum(total) from orders")).isEqualTo("500 125250");
        assertThat(one(db, "select count(*) from pg_indexes where tablename = 'orders' and schemaname = 'public'"))
                .as("primary key and orders_customer_idx").isEqualTo("2");
        assertThat(one(db, "select string_agg(conname, ',' order by conname) from pg_constraint "
                + "where conrelid = 'public.orders'::regclass")).contains("orders_pkey").contains("orders_total_check");
        assertThat(one(db, "select count(*) from pg_trigger where tgname = 'orders_touch'")).isEqualTo("1");
        assertThat(one(db, "select count(*) from pg_policy where polname = 'everyone'")).isEqualTo("1");
        assertThat(one(db, "select relrowsecurity from pg_class where oid = 'public.orders'::regclass")).isEqualTo("t");
        assertThat(one(db, "select has_table_privilege('clerk', 'public.orders', 'select')")).isEqualTo("t");
        assertThat(one(db, "select obj_description('public.orders'::regclass)")).isEqualTo("the orders");
        assertThat(one(db, "select last_value from orders_id_seq")).as("the sequence where it was").isEqualTo("500");
        assertThat(one(db, "select pg_get_expr(adbin, adrelid) from pg_attrdef where adrelid = 'public.orders'::regclass "
                + "and adnum = 1")).contains("orders_id_seq");
    }

    @Test
    void oneTableIntoAScratchDatabaseComesWithWhatItNeedsAndNothingElse() throws Exception {
        String scratch = "sel_scratch_" + System.nanoTime();
        Map<String, String> env = env();
        Cli.Result r = Cli.runJar(envWithTarget(env, "postgres"), "restore", "--table", "public.orders", "--create", scratch);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("--table public.orders").contains(scratch);
        assertOrdersWhole(scratch);
        assertThat(one(scratch, "select count(*) from pg_type where typname = 'status'"))
                .as("the enum it needs, created in the empty database").isEqualTo("1");
        assertThat(one(scratch, "select count(*) from pg_proc where proname = 'grade'"))
                .as("the function of the enum its check calls: not there, so created (to_regprocedure fails before 16)")
                .isEqualTo("1");
        assertThat(one(scratch, "select to_regclass('public.customers') is null and to_regclass('public.order_lines') is null "
                + "and to_regclass('public.big_orders') is null and to_regclass('sales.orders') is null")).isEqualTo("t");
        assertThat(r.err()).contains("left out: FK CONSTRAINT public.orders orders_customer_fkey")
                .contains("table public.customers");
        assertThat(one(scratch, "update orders set total = total where id = 1 returning updated is not null"))
                .as("the trigger and its function work").isEqualTo("t");
    }

    @Test
    void aDroppedTableGoesBackIntoTheLiveDatabaseWithTheForeignKeysBothWays() throws Exception {
        String live = pg.createDatabase("sel_live");
        Map<String, String> env = envWithTarget(env(), live);
        Cli.Result full = Cli.run(env, "restore");
        assertThat(full.code()).as(full.err()).isZero();
        pg.exec(live, "drop table orders cascade; insert into customers (name) values ('after the backup');");
        Cli.Result both = Cli.run(env, "restore", "--table", "orders");
        assertThat(both.code()).as("as with pg_restore -t, a bare name is every schema's: sales.orders is there")
                .isEqualTo(ExitCode.USAGE.code());
        assertThat(both.err()).contains("already has sales.orders").contains("name one as SCHEMA.NAME");
        Cli.Result r = Cli.run(env, "restore", "--table", "public.orders");
        assertThat(r.code()).as(r.err()).isZero();
        assertOrdersWhole(live);
        assertThat(one(live, "select count(*) from pg_constraint where conname in ('orders_customer_fkey', "
                + "'order_lines_order_id_fkey')")).as("both foreign keys: the tables they join are in the target")
                .isEqualTo("2");
        assertThat(one(live, "select count(*) from customers")).as("the live tables untouched").isEqualTo("11");
        assertThat(one(live, "select count(*) from sales.orders")).isEqualTo("7");
    }

    @Test
    void aTableThatStillExistsIsRefusedUpFrontAndReplacedWithClean() throws Exception {
        String live = pg.createDatabase("sel_clean");
        Map<String, String> env = envWithTarget(env(), live);
        assertThat(Cli.run(env, "restore").code()).isZero();
        pg.exec(live, "delete from sales.orders where id > 2");
        Cli.Result refused = Cli.run(env, "restore", "--table", "sales.orders");
        assertThat(refused.code()).isEqualTo(ExitCode.USAGE.code());
        StoreCheck.assertOneLine(refused);
        assertThat(refused.err()).contains("already has sales.orders").contains("--create NAME").contains("--clean");
        assertThat(one(live, "select count(*) from sales.orders")).isEqualTo("2");
        Cli.Result r = Cli.run(env, "restore", "--table", "sales.orders", "--clean");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(one(live, "select count(*) from sales.orders")).isEqualTo("7");
        assertThat(one(live, "select count(*) from public.orders")).as("public.orders untouched").isEqualTo("500");
    }

    @Test
    void aFailedRestoreIntoTheLiveDatabaseLeavesItAsItWas() throws Exception {
        String live = pg.createDatabase("sel_view");
        Map<String, String> env = envWithTarget(env(), live);
        assertThat(Cli.run(env, "restore").code()).isZero();
        pg.exec(live, "delete from order_lines where order_id > 100; delete from orders where id > 100");
        // --clean drops orders first, and the view over it is in the way: pg_restore fails half-way
        Cli.Result r = Cli.run(env, "restore", "--table", "public.orders", "--clean");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.RESTORE_FAILED.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("depend on it").contains("one transaction: the target is as it was");
        assertThat(one(live, "select count(*) from orders")).isEqualTo("100");
        assertThat(one(live, "select count(*) from pg_trigger where tgname = 'orders_touch'")
                + one(live, "select count(*) from pg_policy where polname = 'everyone'")
                + one(live, "select count(*) from pg_constraint where conname in ('orders_customer_fkey', "
                        + "'order_lines_order_id_fkey', 'orders_pkey') and connamespace = 'public'::regnamespace"))
                .as("nothing of it dropped").isEqualTo("113");
        Cli.Result jobs = Cli.run(env, "restore", "--table", "public.orders", "--clean", "--jobs", "2");
        assertThat(jobs.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(jobs.err()).contains("one transaction").contains("--create NAME");
    }

    @Test
    void aPartitionGoesBackUnderItsParentAndAlonePartitionIsRefusedInAScratchDatabase() throws Exception {
        String live = pg.createDatabase("sel_part");
        Map<String, String> env = envWithTarget(env(), live);
        assertThat(Cli.run(env, "restore").code()).isZero();
        pg.exec(live, "drop table events_2025");
        Cli.Result r = Cli.run(env, "restore", "--table", "events_2025");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(one(live, "select count(*) from events")).as("attached again, with its rows").isEqualTo("400");
        assertThat(one(live, "select count(*) from pg_indexes where tablename = 'events_2025'")).isEqualTo("1");
        Cli.Result alone = Cli.run(envWithTarget(env(), "postgres"), "restore", "--table", "events_2025", "--create",
                "selpartscratch_" + System.nanoTime());
        assertThat(alone.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(alone.err()).contains("cannot restore public.events_2025 needs table public.events")
                .contains("add it with --table");
        assertThat(one("postgres", "select count(*) from pg_database where datname like 'selpartscratch_%'"))
                .as("the scratch database it created is dropped again").isEqualTo("0");
    }

    @Test
    void aSchemaLessAnExcludedTable() throws Exception {
        String scratch = "sel_schema_" + System.nanoTime();
        Cli.Result r = Cli.run(envWithTarget(env(), "postgres"), "restore", "--schema", "sales", "--exclude-table",
                "targets", "--create", scratch);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(one(scratch, "select count(*) from sales.orders")).isEqualTo("7");
        assertThat(one(scratch, "select to_regclass('sales.targets') is null and to_regclass('public.orders') is null"))
                .isEqualTo("t");
    }

    @Test
    void aNameNotInTheBackupIsExit7WithTheNearestNames() throws Exception {
        String live = pg.createDatabase("sel_missing");
        Cli.Result r = Cli.run(envWithTarget(env(), live), "restore", "--table", "order");
        assertThat(r.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        StoreCheck.assertOneLine(r);
        assertThat(r.err()).contains("has no table order").contains("nearest names it has: public.orders, sales.orders");
        Cli.Result schema = Cli.run(envWithTarget(env(), live), "restore", "--schema", "sale");
        assertThat(schema.code()).isEqualTo(ExitCode.NOT_FOUND.code());
        assertThat(schema.err()).contains("no schema sale").contains("sales");
        assertThat(one(live, RestoreIT.RELATIONS)).as("nothing touched").isEqualTo("0");
    }

    @Test
    void fromAnEncryptedServerBackupWithJobs() throws Exception {
        String scratch = "sel_srv_" + System.nanoTime();
        Map<String, String> env = envWithTarget(serverEnv(), "postgres");
        env.put("AGE_IDENTITY", KEY.secret());
        Cli.Result r = Cli.run(env, "restore", "--database", shop, "--table", "orders", "--schema", "public",
                "--jobs", "2", "--create", scratch);
        assertThat(r.code()).as(r.err()).isZero();
        assertOrdersWhole(scratch);
        assertThat(one(scratch, "select to_regclass('sales.orders') is null")).isEqualTo("t");
    }

    @Test
    void thePlainScriptCannotBeSelectedFrom() throws Exception {
        Cli.Result r = Cli.run(envWithTarget(env(), "postgres"), "restore", "--format", "plain", "--table", "orders",
                "--create", "sel_never");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("--table and --schema").contains("drop --format plain");
        Cli.Result exclude = Cli.run(envWithTarget(env(), "postgres"), "restore", "--exclude-table", "orders");
        assertThat(exclude.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(exclude.err()).contains("--exclude-table narrows");
    }

    static Map<String, String> envWithTarget(Map<String, String> env, String db) {
        Map<String, String> e = new HashMap<>(env);
        e.put("RESTORE_PG_URI", pg.uri(db));
        return e;
    }
}
