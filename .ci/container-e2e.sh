#!/usr/bin/env bash
# Container end-to-end test of the pgbackup image: build it, run it against Postgres containers of
# the oldest (13), a middle (15) and the newest (18) supported major and an S3 stand-in on a
# private podman network, and check exit codes, stored objects, drills and restores into each
# server's own major.
#
# Expects the container rig to be up and its environment eval'ed (DOCKER_HOST, CONTAINERS_CONF, ...):
#   RIG_ENV=$(../shared/container-rig/up.sh) && eval "$RIG_ENV" && bash .ci/container-e2e.sh
#
# Every step is timed. The last line is "container e2e: N passed, M failed"; the exit status is
# non-zero when any step failed. Containers and the network are removed on exit.
#
# Knobs: PODMAN (default podman), E2E_SKIP_BUILD=1 (reuse existing pgbackup:ci and pgbackup:ci-pg15).
set -euo pipefail

cd "$(dirname "$0")/.."

PODMAN=${PODMAN:-podman}
IMAGE=pgbackup:ci
IMAGE_PG15=pgbackup:ci-pg15
IMAGE_PG13_SERVER=pgbackup-e2e-postgres:13
# What Debian packages (the rig's bases have no PGDG repository): PG_MAJOR 18 plus these clients.
PG_MAJORS="13 15 17 18"
RUN_ID="pgb-e2e-$$"
NET="$RUN_ID-net"
DB="$RUN_ID-db"
DB15="$RUN_ID-db15"
DB13="$RUN_ID-db13"
S3="$RUN_ID-s3"
PG_PASSWORD=e2e-pw
BUCKET=pgbackup-e2e
PREFIX=e2e
PG_URI_OK="postgres://postgres:$PG_PASSWORD@db:5432/app"
PG_URI_BAD="postgres://postgres:wrong-password@db:5432/app"

passed=0
failed=0
failures=()
S3_PORT=

log() { printf '%s\n' "$*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { local ms=$1; printf '%d.%03d s' $((ms / 1000)) $((ms % 1000)); }

# step NAME COMMAND...: runs one check, prints its result and wall time, never aborts the script.
step() {
    local name=$1; shift
    log ""
    log "=== $name"
    local t0 rc=0
    t0=$(now_ms)
    "$@" || rc=$?
    local took=$(($(now_ms) - t0))
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        log "--- PASS  $name  ($(secs "$took"))"
    else
        failed=$((failed + 1))
        failures+=("$name")
        log "--- FAIL  $name  ($(secs "$took"))"
    fi
}

TMP=$(mktemp -d)
cleanup() {
    local rc=$?
    "$PODMAN" rm -f -t 2 "$DB" "$DB15" "$DB13" "$S3" >/dev/null 2>&1 || true
    "$PODMAN" network rm -f "$NET" >/dev/null 2>&1 || true
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pgb ARGS...: runs the image on the test network with the S3 settings; stdout/stderr pass through.
S3_ENV=(-e S3_BUCKET="$BUCKET" -e S3_PREFIX="$PREFIX" -e AWS_ENDPOINT_URL_S3=http://s3:4566
        -e AWS_REGION=us-east-1 -e AWS_ACCESS_KEY_ID=test -e AWS_SECRET_ACCESS_KEY=test)
pgb() { "$PODMAN" run --rm --network "$NET" "${S3_ENV[@]}" "$@"; }

# expect_rc WANT OUTFILE COMMAND...: runs COMMAND with stdout+stderr to OUTFILE (and the console).
expect_rc() {
    local want=$1 out=$2; shift 2
    local rc=0
    "$@" >"$out" 2>&1 || rc=$?
    sed 's/^/    | /' "$out"
    if [ "$rc" -ne "$want" ]; then
        log "    exit code $rc, expected $want"
        return 1
    fi
    log "    exit code $rc as expected"
}

# An "unknown command" from picocli: the command has not landed in this build yet.
explain_missing_command() {
    local cmd=$1 out=$2
    if grep -qE "Unmatched arguments? (at|from) index 0: '$cmd'" "$out"; then
        log "    >>> pgbackup '$cmd' does not exist in this build yet (picocli: unmatched argument, exit 2)."
        log "    >>> This step fails until the command lands."
    fi
}

# ---------------------------------------------------------------------------------------------
# build TAG [ARGS...]: a podman build of the repository; the log's tail on the console.
build() {
    local tag=$1; shift
    local rc=0
    "$PODMAN" build --pull=never "$@" -t "$tag" . >"$TMP/build-$tag.log" 2>&1 || rc=$?
    grep -E '^(\[[0-9]/[0-9]\] STEP|--> Using cache)' "$TMP/build-$tag.log" | grep -c 'Using cache' \
        | sed 's/^/    layers from cache: /'
    if [ "$rc" -ne 0 ]; then
        tail -n 30 "$TMP/build-$tag.log" | sed 's/^/    | /'
        return "$rc"
    fi
    tail -n 1 "$TMP/build-$tag.log" | sed 's/^/    image /'
}
build_image() { build "$IMAGE" --build-arg PG_MAJORS="$PG_MAJORS"; }
# An image pinned to one major: it must refuse newer servers before anything is written.
build_image_pg15() { build "$IMAGE_PG15" --build-arg PG_MAJOR=15 --build-arg PG_MAJORS=15; }
build_pg13_server() { "$PODMAN" build --pull=never -q -t "$IMAGE_PG13_SERVER" .ci/postgres13 >/dev/null; }
# The budget is pgbackup's own part (Java runtime, jar, CDS archive): 80 MB over the base and the
# other majors' client tools, whose layer is reported on its own.
report_sizes() {
    local base img clients
    base=$("$PODMAN" image inspect --format '{{.Size}}' postgres:18)
    img=$("$PODMAN" image inspect --format '{{.Size}}' "$IMAGE")
    clients=$("$PODMAN" history --no-trunc --format '{{.Size}}|{{.CreatedBy}}' "$IMAGE" | grep -F 'pg-clients.sh' \
        | grep -v COPY | head -n 1 | cut -d'|' -f1 \
        | awk '{ v = $1; if ($2 == "kB") v /= 1000; if ($2 == "GB") v *= 1000; if ($2 == "B") v /= 1000000; printf "%d", v * 1000000 }')
    log "    postgres:18 $((base / 1000000)) MB, $IMAGE $((img / 1000000)) MB: +$(((img - base) / 1000000)) MB, of which" \
        "client tools of $PG_MAJORS $((clients / 1000000)) MB and pgbackup $(((img - base - clients) / 1000000)) MB (budget 80 MB)"
    [ "$clients" -gt 0 ] && [ $((img - base - clients)) -le 80000000 ]
}

start_services() {
    "$PODMAN" network create "$NET" >/dev/null
    "$PODMAN" run -d --name "$DB" --network "$NET" --network-alias db \
        -e POSTGRES_PASSWORD="$PG_PASSWORD" -e POSTGRES_DB=app postgres:18 >/dev/null
    "$PODMAN" run -d --name "$DB15" --network "$NET" --network-alias db15 \
        -e POSTGRES_PASSWORD="$PG_PASSWORD" -e POSTGRES_DB=app postgres:15 >/dev/null
    "$PODMAN" run -d --name "$DB13" --network "$NET" --network-alias db13 \
        -e POSTGRES_PASSWORD="$PG_PASSWORD" -e POSTGRES_DB=app "$IMAGE_PG13_SERVER" >/dev/null
    "$PODMAN" run -d --name "$S3" --network "$NET" --network-alias s3 -p 127.0.0.1::4566 \
        -e S3PROXY_AUTHORIZATION=none localstack/localstack:4 >/dev/null
    local _ c
    for c in "$DB" "$DB15" "$DB13"; do
        for _ in $(seq 1 60); do
            if "$PODMAN" exec "$c" pg_isready -q -h 127.0.0.1 -U postgres -d app 2>/dev/null; then break; fi
            sleep 0.5
        done
        "$PODMAN" exec "$c" pg_isready -h 127.0.0.1 -U postgres -d app || return 1
        "$PODMAN" exec "$c" psql -At -U postgres -d app -c 'select version()' | cut -c1-60 | sed 's/^/    /'
    done
    S3_PORT=$("$PODMAN" port "$S3" 4566/tcp | head -n 1 | sed 's/.*://')
    for _ in $(seq 1 60); do
        if curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then break; fi
        sleep 0.5
    done
    log "    db ready; s3 on 127.0.0.1:$S3_PORT"
    # s3proxy creates the bucket on an unsigned PUT (S3PROXY_AUTHORIZATION=none); pgbackup still signs.
    curl -fsS -X PUT "http://127.0.0.1:$S3_PORT/$BUCKET" -o /dev/null
}

seed_data() {
    local c=${1:-$DB}
    "$PODMAN" exec -i "$c" psql -q -v ON_ERROR_STOP=1 -U postgres -d app <<'SQL'
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, created timestamptz DEFAULT now());
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2), note text);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb, at timestamptz);
INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.test' FROM generate_series(1, 2000) g;
INSERT INTO orders (customer_id, total, note) SELECT 1 + (g % 2000), (g % 997) * 1.25, repeat('x', g % 50) FROM generate_series(1, 5000) g;
INSERT INTO events (payload, at) SELECT jsonb_build_object('n', g, 'kind', 'k' || (g % 7)), now() - g * interval '1 minute' FROM generate_series(1, 3000) g;
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 1000;
SQL
    counts "$c" app | sed 's/^/    rows: /'
}

# counts CONTAINER DB: the rows of the seeded tables, one line
counts() {
    "$PODMAN" exec "$1" psql -At -U postgres -d "$2" -c \
        "select 'customers=' || (select count(*) from customers) || ' orders=' || (select count(*) from orders) || ' events=' || (select count(*) from events) || ' big_orders=' || (select count(*) from big_orders)"
}

# The guarantee users rely on, with only what the image contains: a backup of a server of major N
# (dumped by the image's pg_dump N) restores into a server of major N and of the newest major, in
# both formats, and its drill passes.
# version_round_trip CONTAINER ALIAS MAJOR
version_round_trip() {
    local c=$1 host=$2 major=$3 f want got
    local prefix="e2e-pg$major" server="postgres://postgres:$PG_PASSWORD@$host:5432"
    [ "$c" = "$DB" ] || seed_data "$c" || return 1
    expect_rc 0 "$TMP/v$major-backup.out" pgb -e S3_PREFIX="$prefix" -e PG_URI="$server/app" "$IMAGE" backup || return 1
    grep -q "with pg_dump $major\." "$TMP/v$major-backup.out" || { log "    not dumped by pg_dump $major"; return 1; }
    expect_rc 0 "$TMP/v$major-drill.out" pgb -e S3_PREFIX="$prefix" "$IMAGE" drill --target "$server/postgres" || return 1
    grep -q '"passed" : true' "$TMP/v$major-drill.out" || return 1
    want=$(counts "$c" app)
    for f in custom plain; do
        expect_rc 0 "$TMP/v$major-$f.out" pgb -e S3_PREFIX="$prefix" "$IMAGE" restore --format "$f" \
            --target "$server/postgres" --create "r_$f" || return 1
        got=$(counts "$c" "r_$f")
        log "    $f into PostgreSQL $major: $got"
        [ "$got" = "$want" ] || { log "    expected $want"; return 1; }
        [ "$major" = 18 ] && continue
        expect_rc 0 "$TMP/v$major-$f-18.out" pgb -e S3_PREFIX="$prefix" "$IMAGE" restore --format "$f" \
            --target "postgres://postgres:$PG_PASSWORD@db:5432/postgres" --create "from${major}_$f" || return 1
        got=$(counts "$DB" "from${major}_$f")
        log "    $f into PostgreSQL 18: $got"
        [ "$got" = "$want" ] || { log "    expected $want"; return 1; }
    done
}

backup_to_s3() {
    # COUNT_ROWS: the manifest records row counts, which the drill then checks.
    expect_rc 0 "$TMP/backup.out" pgb -e PG_URI="$PG_URI_OK" -e COUNT_ROWS=true "$IMAGE" backup || return 1
    MANIFEST_KEY=$(grep -E "^$PREFIX/.*\.json$" "$TMP/backup.out" | tail -n 1 || true)
    log "    manifest key: ${MANIFEST_KEY:-<none on stdout>}"
    [ -n "$MANIFEST_KEY" ]
}

bucket_has_all_objects() {
    curl -fsS "http://127.0.0.1:$S3_PORT/$BUCKET?list-type=2&prefix=$PREFIX/" >"$TMP/list.xml"
    grep -oE '<Key>[^<]+</Key>' "$TMP/list.xml" | sed 's/<[^>]*>//g; s/^/    /'
    local ext ok=0
    for ext in dump sql.zst json; do
        if ! grep -qE "<Key>$PREFIX/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}-[0-9]{2}-[0-9]{2}[^<]*\.$ext</Key>" "$TMP/list.xml"; then
            log "    missing: *.$ext"
            ok=1
        fi
    done
    return "$ok"
}

backup_to_directory() {
    # No bucket: ./backups under the image's WORKDIR, which must be writable by postgres.
    expect_rc 0 "$TMP/dir.out" "$PODMAN" run --rm --network "$NET" -e PG_URI="$PG_URI_OK" "$IMAGE" backup
}

# ---- commands that are still being written: each is one clearly named step ---------------------
drill_latest() {
    # pgbackup drill: restore the latest backup into a scratch database on the db server and check it.
    local rc=0
    expect_rc 0 "$TMP/drill.out" pgb "$IMAGE" drill --target "postgres://postgres:$PG_PASSWORD@db:5432/postgres" || rc=$?
    explain_missing_command drill "$TMP/drill.out"
    return "$rc"
}

tick_nothing_due() {
    # pgbackup tick: BACKUP_CRON's last slot (Jan 1st, 00:00) is older than the backup made above.
    local rc=0
    expect_rc 0 "$TMP/tick.out" pgb -e PG_URI="$PG_URI_OK" -e BACKUP_CRON='0 0 1 1 *' -e BACKUP_TZ=UTC "$IMAGE" tick || rc=$?
    explain_missing_command tick "$TMP/tick.out"
    [ "$rc" -eq 0 ] || return "$rc"
    grep -q "nothing due" "$TMP/tick.out" || { log "    no 'nothing due' in the output"; return 1; }
}
# -------------------------------------------------------------------------------------------------

# The whole server, encrypted: pgbackup in the image holds only the public key; the host's age CLI
# decrypts the archive, and a drill with the identity restores every database (jlink's runtime
# must carry X25519 and ChaCha20-Poly1305).
encrypted_server_backup_and_drill() {
    command -v age-keygen >/dev/null 2>&1 || { log "    no age-keygen on the host (apt-get install age)"; return 1; }
    age-keygen -o "$TMP/age.key" 2>/dev/null
    local recipient key
    recipient=$(age-keygen -y "$TMP/age.key")
    expect_rc 0 "$TMP/enc.out" pgb -e PG_URI="postgres://postgres:$PG_PASSWORD@db:5432/postgres" -e PG_DATABASES=all \
        -e S3_PREFIX=e2e-enc -e AGE_RECIPIENTS="$recipient" "$IMAGE" backup || return 1
    curl -fsS "http://127.0.0.1:$S3_PORT/$BUCKET?list-type=2&prefix=e2e-enc/" >"$TMP/enc.xml"
    key=$(grep -oE '<Key>[^<]+/app\.dump\.age</Key>' "$TMP/enc.xml" | sed 's/<[^>]*>//g' | head -n 1)
    [ -n "$key" ] || { log "    no <stem>/app.dump.age in the bucket"; return 1; }
    log "    $key"
    curl -fsS "http://127.0.0.1:$S3_PORT/$BUCKET/$key" | age -d -i "$TMP/age.key" >"$TMP/app.dump" || return 1
    "$PODMAN" exec -i "$DB" pg_restore --list <"$TMP/app.dump" | grep -q "TABLE public customers" \
        || { log "    the decrypted archive does not list the customers table"; return 1; }
    expect_rc 0 "$TMP/encdrill.out" pgb -e S3_PREFIX=e2e-enc -e AGE_IDENTITY="$(grep '^AGE-SECRET-KEY-' "$TMP/age.key")" \
        "$IMAGE" drill --target "postgres://postgres:$PG_PASSWORD@db:5432/postgres" || return 1
    grep -q '"app: rows"' "$TMP/encdrill.out" || { log "    no per-database checks in the drill report"; return 1; }
}

# A ~1.3 GB database (bench/gen.sql at scale 1: mixed text, jsonb, numerics, bytea) backed up by the
# image in a container limited to 256 MB of memory (no swap): the whole process tree (JVM with the
# image's flags, pg_dump, pg_restore) must fit, as on a 256 MB Fly machine.
seed_big_database() {
    "$PODMAN" exec "$DB" psql -q -U postgres -d app -c "create database big" || return 1
    "$PODMAN" exec -i "$DB" psql -q -v ON_ERROR_STOP=1 -U postgres -d big -v n_customers=1000000 -v n_events=3000000 \
        -v n_attachments=400000 -f - <bench/gen.sql >/dev/null || return 1
    "$PODMAN" exec "$DB" psql -At -U postgres -d big -c "select 'database size: ' || pg_size_pretty(pg_database_size('big'))"
}

backup_big_in_256m() {
    local rc=0
    expect_rc 0 "$TMP/big.out" pgb --memory 256m --memory-swap 256m -e S3_PREFIX=e2e-big \
        -e PG_URI="postgres://postgres:$PG_PASSWORD@db:5432/big" "$IMAGE" backup || rc=$?
    [ "$rc" -eq 0 ] || { [ "$rc" -ne 137 ] || log "    exit 137: killed by the OOM killer"; return 1; }
    grep -q "^e2e-big/.*\.json$" "$TMP/big.out" || { log "    no manifest key on stdout"; return 1; }
}

# Two databases dumped at once (--parallel-databases 2: two pg_dump, two pg_restore, four uploads)
# in the same 256 MB container.
server_parallel_in_256m() {
    local rc=0
    "$PODMAN" exec "$DB" psql -q -U postgres -d app -c "create database big2 template big" || return 1
    expect_rc 0 "$TMP/srv256.out" pgb --memory 256m --memory-swap 256m -e S3_PREFIX=e2e-srv256 \
        -e PG_URI="postgres://postgres:$PG_PASSWORD@db:5432/postgres" -e PG_DATABASES=big,big2 -e PARALLEL_DATABASES=2 \
        "$IMAGE" backup || rc=$?
    [ "$rc" -eq 0 ] || { [ "$rc" -ne 137 ] || log "    exit 137: killed by the OOM killer"; return 1; }
    grep -q "^e2e-srv256/.*\.json$" "$TMP/srv256.out" || { log "    no manifest key on stdout"; return 1; }
}

wrong_password_exits_3() {
    expect_rc 3 "$TMP/pw.out" pgb -e PG_URI="$PG_URI_BAD" "$IMAGE" backup
}

pg15_image_vs_pg18_server_exits_4() {
    expect_rc 4 "$TMP/v.out" pgb -e PG_URI="$PG_URI_OK" "$IMAGE_PG15" backup || return 1
    grep -q "PG_MAJOR=18" "$TMP/v.out" || { log "    the message does not say what would work"; return 1; }
}

help_exits_0() {
    expect_rc 0 "$TMP/help.out" "$PODMAN" run --rm "$IMAGE" --help
}

runs_as_non_root() {
    local uid
    uid=$("$PODMAN" run --rm --entrypoint id "$IMAGE" -u)
    log "    uid $uid"
    [ -n "$uid" ] && [ "$uid" != 0 ]
}

# ---------------------------------------------------------------------------------------------
t_all=$(now_ms)
if [ "${E2E_SKIP_BUILD:-0}" = 1 ]; then
    log "E2E_SKIP_BUILD=1: using the existing $IMAGE and $IMAGE_PG15"
else
    step "build $IMAGE (PG_MAJOR=18, client tools of $PG_MAJORS)" build_image
    step "build $IMAGE_PG15 (PG_MAJOR=15, only 15's client tools)" build_image_pg15
fi
step "build a PostgreSQL 13 server image ($IMAGE_PG13_SERVER)" build_pg13_server
step "image size vs postgres:18" report_sizes
step "start postgres:18 (db), postgres:15 (db15), PostgreSQL 13 (db13) and s3 stand-in (s3), create bucket" start_services
step "seed data (3 tables, 10000 rows)" seed_data
step "PostgreSQL 13 (oldest): backup by pg_dump 13, drill, both formats into 13 and into 18" version_round_trip "$DB13" db13 13
step "PostgreSQL 15: backup by pg_dump 15, drill, both formats into 15 and into 18" version_round_trip "$DB15" db15 15
step "PostgreSQL 18 (newest): backup by pg_dump 18, drill, both formats into 18" version_round_trip "$DB" db 18
step "backup to S3 -> exit 0, manifest key on stdout" backup_to_s3
step "bucket holds .dump, .sql.zst and .json" bucket_has_all_objects
step "backup to ./backups (no bucket) -> exit 0" backup_to_directory
step "drill (restore the latest backup into a scratch db) -> exit 0" drill_latest
step "tick with BACKUP_CRON='0 0 1 1 *' -> exit 0, 'nothing due'" tick_nothing_due
step "encrypted server backup (PG_DATABASES=all, AGE_RECIPIENTS); host age decrypts; drill with the identity" encrypted_server_backup_and_drill
step "seed a ~1.3 GB database (bench/gen.sql, scale 1)" seed_big_database
step "backup of the big database in a container limited to 256 MB -> exit 0" backup_big_in_256m
step "server backup of 2 big databases, 2 at a time, in a container limited to 256 MB -> exit 0" server_parallel_in_256m
step "wrong password -> exit 3" wrong_password_exits_3
step "image pinned to 15 vs 18 server -> exit 4 naming what would work" pg15_image_vs_pg18_server_exits_4
step "--help -> exit 0" help_exits_0
step "runs as non-root" runs_as_non_root

log ""
log "total $(secs $(($(now_ms) - t_all)))"
for f in ${failures[@]+"${failures[@]}"}; do log "failed: $f"; done
log "container e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
