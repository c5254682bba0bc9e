-- Deterministic benchmark dataset for pgbackup.
--
-- Run by bench/run.sh as:
--   psql -v ON_ERROR_STOP=1 -v n_customers=N -v n_events=N -v n_attachments=N -f bench/gen.sql
-- run.sh derives the counts linearly from --scale (see rows_for_scale in run.sh); scale 1 gives
-- ~1.2 GB of plain SQL (pg_dump -Fp).
--
-- Determinism: every INSERT ... SELECT FROM generate_series runs in this one session, serially
-- (INSERT never uses parallel query), right after setseed(), so random() yields the same sequence
-- for the same scale on every machine. No volatile input other than random() is used
-- (no now(), no clock_timestamp(), no gen_random_uuid()).
--
-- Content is mixed on purpose, so compressors see something like production data:
-- short repetitive text (names, domains, kinds), jsonb documents, numerics, timestamps, arrays,
-- incompressible bytea (hash output, like already-compressed uploads) and compressible bytea
-- (text-like blobs).

\set ON_ERROR_STOP 1

SET synchronous_commit = off;
SET TimeZone = 'UTC';
SET maintenance_work_mem = '256MB';

BEGIN;

CREATE TABLE customers (
    id          bigint        PRIMARY KEY,
    email       text          NOT NULL,
    full_name   text          NOT NULL,
    country     char(2)       NOT NULL,
    created_at  timestamptz   NOT NULL,
    balance     numeric(14,2) NOT NULL,
    tags        text[],
    profile     jsonb
);

SELECT setseed(0.1234);
INSERT INTO customers
SELECT i,
       'user' || i || '@' || (ARRAY['example.com','mail.test','corp.example','post.example.org'])[1 + (i % 4)],
       (ARRAY['Alice','Bob','Carol','Dave','Erin','Frank','Grace','Heidi','Ivan','Judy','Mallory','Niaj',
              'Olivia','Peggy','Rupert','Sybil','Trent','Victor','Walter','Zoe'])[1 + floor(random() * 20)::int]
         || ' ' ||
       (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
              'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin'])[1 + floor(random() * 20)::int],
       (ARRAY['US','GB','DE','FR','NL','SE','JP','BR','IN','CA','AU','ES'])[1 + floor(random() * 12)::int],
       timestamptz '2019-01-01 00:00:00+00' + (i * interval '97 seconds') + random() * interval '1 hour',
       round((random() * 20000 - 2000)::numeric, 2),
       CASE WHEN random() < 0.6
            THEN ARRAY[(ARRAY['vip','new','churn-risk','b2b','newsletter','beta'])[1 + floor(random() * 6)::int],
                       (ARRAY['web','ios','android','api'])[1 + floor(random() * 4)::int]]
       END,
       jsonb_build_object(
           'lang', (ARRAY['en','de','fr','es','ja','pt'])[1 + floor(random() * 6)::int],
           'marketing_opt_in', random() < 0.35,
           'score', floor(random() * 1000)::int,
           'address', jsonb_build_object(
               'street', floor(random() * 9999)::int || ' ' || (ARRAY['Main St','High St','Station Rd','Park Ave','Church Ln'])[1 + floor(random() * 5)::int],
               'zip', lpad(floor(random() * 99999)::int::text, 5, '0')),
           'referrer', CASE WHEN random() < 0.3 THEN 'https://ref.example/' || substr(md5(random()::text), 1, 12) END)
FROM generate_series(1, :n_customers) AS i;

CREATE TABLE events (
    id           bigint        PRIMARY KEY,
    customer_id  bigint        NOT NULL,
    occurred_at  timestamptz   NOT NULL,
    kind         text          NOT NULL,
    amount       numeric(12,2),
    payload      jsonb         NOT NULL,
    note         text
);

SELECT setseed(0.5678);
INSERT INTO events
SELECT i,
       1 + floor(random() * :n_customers)::bigint,
       timestamptz '2023-01-01 00:00:00+00' + (i * interval '3 seconds') + random() * interval '2 seconds',
       (ARRAY['page_view','page_view','page_view','click','click','search','add_to_cart','purchase','refund','login'])[1 + floor(random() * 10)::int],
       CASE WHEN random() < 0.25 THEN round((random() * 500)::numeric, 2) END,
       jsonb_build_object(
           'session', substr(md5(random()::text), 1, 20),
           'ip', '10.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int,
           'ua', (ARRAY['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
                        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15',
                        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0',
                        'okhttp/4.12.0'])[1 + floor(random() * 4)::int],
           'path', '/' || (ARRAY['products','cart','checkout','search','account','blog'])[1 + floor(random() * 6)::int]
                   || '/' || floor(random() * 5000)::int,
           'latency_ms', round((random() * 800)::numeric, 1),
           'items', CASE WHEN random() < 0.3
                         THEN jsonb_build_array(floor(random() * 100000)::int, floor(random() * 100000)::int)
                         ELSE '[]'::jsonb END),
       CASE WHEN random() < 0.1 THEN 'support ticket ' || floor(random() * 100000)::int || ': ' || md5(random()::text) END
FROM generate_series(1, :n_events) AS i;

CREATE TABLE attachments (
    id           bigint       PRIMARY KEY,
    event_id     bigint       NOT NULL,
    filename     text         NOT NULL,
    mime_type    text         NOT NULL,
    created_at   timestamptz  NOT NULL,
    content      bytea        NOT NULL
);

SELECT setseed(0.9012);
INSERT INTO attachments
SELECT i,
       1 + floor(random() * :n_events)::bigint,
       'file-' || i || (ARRAY['.png','.pdf','.txt','.csv'])[1 + (i % 4)],
       (ARRAY['image/png','application/pdf','text/plain','text/csv'])[1 + (i % 4)],
       timestamptz '2023-01-01 00:00:00+00' + (i * interval '20 seconds'),
       CASE WHEN i % 4 < 2
            -- binary-looking (already compressed) content: 256 bytes of hash output
            THEN sha256(int8send(i)) || sha256(int8send(i + 1000000000)) || sha256(int8send(i + 2000000000))
                 || sha256(int8send(i + 3000000000)) || sha256(int8send(i + 4000000000)) || sha256(int8send(i + 5000000000))
                 || sha256(int8send(i + 6000000000)) || sha256(int8send(i + 7000000000))
            -- text-like content (compresses well)
            ELSE convert_to('id,' || i || ',status,' || (ARRAY['ok','failed','pending'])[1 + floor(random() * 3)::int] || E'\n'
                            || repeat('lorem ipsum dolor sit amet ' || floor(random() * 1000)::int || E'\n', 8), 'UTF8')
       END
FROM generate_series(1, :n_attachments) AS i;

COMMIT;

CREATE INDEX events_customer_id_idx ON events (customer_id);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);
CREATE INDEX events_kind_idx ON events (kind) WHERE kind IN ('purchase', 'refund');
CREATE UNIQUE INDEX customers_email_idx ON customers (email);
CREATE INDEX attachments_event_id_idx ON attachments (event_id);
ALTER TABLE events ADD CONSTRAINT events_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE attachments ADD CONSTRAINT attachments_event_fk FOREIGN KEY (event_id) REFERENCES events (id);

CREATE VIEW daily_revenue AS
    SELECT date_trunc('day', occurred_at) AS day, sum(amount) AS revenue
    FROM events WHERE kind = 'purchase' GROUP BY 1;
