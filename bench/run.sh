#!/usr/bin/env bash
# pgbackup benchmark: one invocation generates (or reuses) a dataset, starts Postgres 15 and a
# local S3 server (s3proxy), and measures side by side:
#   L   pg_dump -Fp -f /dev/null                      the floor: cost of reading the database
#   2   the seed's way: pg_dump -Fc > file; pg_dump > file; aws s3 cp both files
#   3   java -jar target/pgbackup.jar backup           one pg_dump, both formats streamed to S3
# plus decomposition rows (skip with --quick):
#   N1  pg_dump -Fc -Z1 > /dev/null                    pg_dump with pgbackup's archive compression
#   N2  pg_dump -Fc -Z1 | pg_restore -f - | zstd -3    the same work as 3 in native tools, no S3
#   J   java -jar pgbackup.jar --version               fixed cost: JVM start + pg tool version probes
#   3c  pgbackup backup --format custom                archive only (no pg_restore, no zstd)
#   3n  pgbackup backup --sql-compression none         both formats, SQL stored uncompressed
#   3e  pgbackup backup --age-recipient KEY            both formats, encrypted with age (also with --quick)
#   3t, 3et  rows 3 and 3e on Java 25 (BENCH_JAVA25, default the Temurin 25 in /usr/lib/jvm), when present
# For each: wall time, CPU time (user+sys of the whole process tree, GNU time), peak RSS of the
# whole process tree (bench/treerss.sh, sampled every 100 ms), and the Postgres server's CPU.
#
# Usage: bench/run.sh [--scale S] [--repeat N] [--quick] [--pg 15|17|18] [--extra ARGS]... [--extra-jvm OPTS]...
#   --scale S    dataset size; 1 = ~1.2 GB of plain SQL, 0.25 = ~300 MB (default 1)
#   --repeat N   runs per row, best wall time kept (default 2 below scale 0.5, else 1)
#   --quick      only L, 2, 3, 3e and the restore rows P, R, P1, RS
#   --extra ARGS       add a row X<n>: pgbackup backup ARGS (e.g. --extra '--s3-checksums when_required')
#   --extra-jvm OPTS   add a row X<n>: pgbackup backup with JVM options OPTS instead of BENCH_JAVA_OPTS
#   --baseline-jar JAR add a row 3b: row 3 with another build (e.g. an older commit's jar) for a 3/3b ratio;
#                      rows 3eb and S1b (3e, S1 with it) are then defined for --rows
#   --server-dbs N     add rows S1, S2: a server backup (--databases) of N copies of the dataset
#                      (CREATE DATABASE ... TEMPLATE bench), one database at a time and two at once
#   --copy             add a row 3s: row 3 with a second store (COPY_S3_BUCKET, another bucket of the same
#                      s3proxy), for the cost of the copy (3s/3)
#   --rows "L 3 ..."   measure only these rows (after the options above added theirs)
# Restore rows (issue 4), on a backup taken in the same invocation:
#   P   createdb; pg_restore -j 2 -d db archive.dump      the archive downloaded to a local file first
#   R   pgbackup restore --jobs 2 --create db              download + SHA-256 check + pg_restore -j 2
#   P1  createdb; pg_restore -d db archive.dump           one job from the local file: the streamed floor
#   RS  pgbackup restore --create db                       streamed from S3 into pg_restore (no disk)
#   D   pgbackup drill                                     streamed restore into a scratch database, then
#                                                          every table's exact row count against the manifest
# Env: BENCH_JAVA_OPTS (default: the container image's JAVA_OPTS), BENCH_JAR (default target/pgbackup.jar),
#      BENCH_ENCRYPTION=0 (no encrypted rows: for jars older than encryption),
#      BENCH_ENV (variables for every pgbackup row, after the script's own, e.g. BENCH_ENV=MALLOC_ARENA_MAX=2
#      or BENCH_ENV="PROGRESS_INTERVAL=20 LOCK_TTL=1m" for progress lines and lease renewals in long rows),
#      BENCH_KEEP=1 (keep the run directory with every row's stdout and stderr),
#      BENCH_CACHE (default bench/.cache), PG_BIN (PostgreSQL 15, default /usr/lib/postgresql/15/bin).
# --pg 17 (default): PostgreSQL 17 server and client tools, as the container image ships them
#   (Debian trixie's build, fetched by bench/pg17.sh into the cache); pgbackup picks zstd:1.
# --pg 15: the host's PostgreSQL 15 server and tools (PG_BIN); pgbackup picks gzip level 1.
# --pg 18: PostgreSQL 18 from Debian unstable (scripts/pg-debian.sh); pgbackup adds planner statistics.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
SCALE=1
REPEAT=""
QUICK=0
PG_SEL=17
EXTRA_ARGS=()
EXTRA_JVM=()
BASELINE_JAR=""
SERVER_DBS=0
ONLY_ROWS=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
        --scale=*) SCALE=${1#*=}; shift ;;
        --repeat) REPEAT=${2:?--repeat needs a value}; shift 2 ;;
        --repeat=*) REPEAT=${1#*=}; shift ;;
        --quick) QUICK=1; shift ;;
        --pg) PG_SEL=${2:?--pg needs 15, 17 or 18}; shift 2 ;;
        --pg=*) PG_SEL=${1#*=}; shift ;;
        --extra) EXTRA_ARGS+=("${2?--extra needs a value}"); EXTRA_JVM+=(""); shift 2 ;;
        --extra-jvm) EXTRA_JVM+=("${2?--extra-jvm needs a value}"); EXTRA_ARGS+=(""); shift 2 ;;
        --baseline-jar) BASELINE_JAR=${2:?--baseline-jar needs a path}; shift 2 ;;
        --server-dbs) SERVER_DBS=${2:?--server-dbs needs a number}; shift 2 ;;
        --rows) ONLY_ROWS=${2:?--rows needs a list}; shift 2 ;;
        --copy) COPY_ROW=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

CACHE=${BENCH_CACHE:-$BENCH_DIR/.cache}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
JAR=${BENCH_JAR:-$ROOT/target/pgbackup.jar}
# The same JVM flags as the container image (Dockerfile JAVA_OPTS), so figures match deployments.
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xmx64m -XX:MaxMetaspaceSize=48m -Xss512k -XX:ReservedCodeCacheSize=24m -XX:CICompilerCount=2 -XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=20000 -XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=400000 -XX:CompileCommand=quiet -XX:CompileCommand=exclude,com.sun.crypto.provider.PBKDF2KeyImpl::deriveKey -XX:CompileCommand=exclude,org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl::write -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000}
S3PROXY_VERSION=4.1.0
S3PROXY_URL=https://repo.maven.apache.org/maven2/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar
BUCKET=pgbackup-bench
PG_PASSWORD=benchpw

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

SCALE_KEY=$(awk -v s="$SCALE" 'BEGIN { if (s !~ /^[0-9]*\.?[0-9]+$/ || s + 0 <= 0) exit 1; printf "%g", s }') \
    || die "--scale must be a positive number, got '$SCALE'"
if [[ -z "$REPEAT" ]]; then
    REPEAT=$(awk -v s="$SCALE_KEY" 'BEGIN { print (s < 0.5 ? 2 : 1) }')
fi
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer"

# ---------------------------------------------------------------------------------------------
# Tools: install what is missing when we can (root + apt-get), else fail saying what to install.
# ---------------------------------------------------------------------------------------------
IS_ROOT=0; [[ $(id -u) -eq 0 ]] && IS_ROOT=1
APT_UPDATED=0
ensure() { # ensure <command-or-path> <debian package>
    local cmd=$1 pkg=$2
    if command -v "$cmd" >/dev/null 2>&1 || [[ -x "$cmd" ]]; then return 0; fi
    if [[ $IS_ROOT -eq 1 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing $pkg (for $cmd)"
        if [[ $APT_UPDATED -eq 0 ]]; then apt-get update -qq >&2 || true; APT_UPDATED=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >&2 || die "apt-get install $pkg failed"
        command -v "$cmd" >/dev/null 2>&1 || [[ -x "$cmd" ]] || die "$cmd still missing after installing $pkg"
    else
        die "$cmd is missing: install the '$pkg' package (or put $cmd on PATH)"
    fi
}
ensure curl curl
ensure zstd zstd
ensure ps procps
ensure /usr/bin/time time
ensure aws awscli
ensure java openjdk-17-jre-headless
for t in initdb pg_ctl postgres psql pg_dump pg_restore; do
    [[ -x "$PG_BIN/$t" ]] || die "$PG_BIN/$t not found: install PostgreSQL 15 server and client \
(e.g. apt-get install postgresql-15 from apt.postgresql.org) or set PG_BIN"
done
mkdir -p "$CACHE"
case $PG_SEL in
    15) TOOLS_BIN=$PG_BIN SERVER_BIN=$PG_BIN ;;
    17) [[ $IS_ROOT -eq 1 ]] || [[ -x "$CACHE/pg17/root/usr/lib/postgresql/17/bin/postgres" ]] \
            || die "--pg 17 needs root once (apt-get download into $CACHE/pg17); or use --pg 15"
        log "PostgreSQL 17 server and client tools from Debian trixie (bench/pg17.sh)"
        TOOLS_BIN=$("$BENCH_DIR/pg17.sh" "$CACHE/pg17") \
            || die "could not set up PostgreSQL 17 (bench/pg17.sh); use --pg 15 for the host's PostgreSQL"
        SERVER_BIN=$TOOLS_BIN ;;
    18) [[ $IS_ROOT -eq 1 ]] || [[ -x "$CACHE/pg18/root/usr/lib/postgresql/18/bin/postgres" ]] \
            || die "--pg 18 needs root once (apt-get download into $CACHE/pg18); or use --pg 15"
        log "PostgreSQL 18 server and client tools from Debian unstable (scripts/pg-debian.sh)"
        TOOLS_BIN=$("$ROOT/scripts/pg-debian.sh" 18 "$CACHE/pg18" server) \
            || die "could not set up PostgreSQL 18 (scripts/pg-debian.sh); use --pg 15 for the host's PostgreSQL"
        SERVER_BIN=$TOOLS_BIN ;;
    *) die "--pg must be 15, 17 or 18, got '$PG_SEL'" ;;
esac
TOOLS_MAJOR=$("$TOOLS_BIN/pg_dump" --version | sed -E 's/.* ([0-9]+)\.[0-9].*/\1/')
# pgbackup's archive compression for this pg_dump major (BackupService.dumpCompression)
if [[ $TOOLS_MAJOR -ge 16 ]]; then DUMP_Z="--compress=zstd:1"; else DUMP_Z="-Z1"; fi
if [[ ! -f "$JAR" ]]; then
    log "building $JAR (mvn -B -o -q package -DskipTests in $ROOT)"
    (cd "$ROOT" && mvn -B -o -q package -DskipTests) >&2 || die "build failed; build the jar first or set BENCH_JAR"
fi
[[ -f "$JAR" ]] || die "$JAR not found after build"
if [[ $IS_ROOT -eq 1 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres \
        || die "cannot create the postgres user (Postgres refuses to run as root)"
fi
as_pg() { if [[ $IS_ROOT -eq 1 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# ---------------------------------------------------------------------------------------------
# Run directory, ports, cleanup
# ---------------------------------------------------------------------------------------------
mkdir -p "$CACHE"
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pgbackup-bench.XXXXXX")
chmod 755 "$RUN_DIR"
S3_PID=""; PG_STARTED=0; PGDATA=""; CUR_PGID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$CUR_PGID" ]]; then kill -TERM -- "-$CUR_PGID" 2>/dev/null || true; fi
    if [[ -n "$S3_PID" ]]; then kill "$S3_PID" 2>/dev/null || true; wait "$S3_PID" 2>/dev/null || true; fi
    if [[ $PG_STARTED -eq 1 ]]; then as_pg "$SERVER_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true; fi
    if [[ -n "${BENCH_KEEP:-}" ]]; then log "kept $RUN_DIR (BENCH_KEEP)"; else rm -rf "$RUN_DIR"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    # below the usual ephemeral range (32768-60999), so an outgoing connection cannot take it
    local p start=$((20000 + RANDOM % 12000))
    for ((p = start; p < start + 500; p++)); do
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free TCP port found"
}

# ---------------------------------------------------------------------------------------------
# 1. Postgres cluster with the dataset (cached per scale and per gen.sql content)
# ---------------------------------------------------------------------------------------------
rows_for_scale() { # customers events attachments
    awk -v s="$SCALE_KEY" 'BEGIN { printf "%d %d %d", 1000000 * s + 0.5, 3000000 * s + 0.5, 400000 * s + 0.5 }'
}
read -r N_CUSTOMERS N_EVENTS N_ATTACHMENTS <<<"$(rows_for_scale)"
GEN_SUM=$(cat "$BENCH_DIR/gen.sql" | md5sum | cut -c1-12)
CLUSTER=$CACHE/pg$PG_SEL-scale-$SCALE_KEY
PGDATA=$CLUSTER/data
PG_PORT=$(free_port)
mkdir -p "$RUN_DIR/sock"
[[ $IS_ROOT -eq 1 ]] && chown postgres: "$RUN_DIR/sock"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGPASSWORD=$PG_PASSWORD PGDATABASE=bench
export PATH="$TOOLS_BIN:$PG_BIN:$PATH"

start_pg() {
    as_pg "$SERVER_BIN/pg_ctl" -D "$PGDATA" -l "$RUN_DIR/sock/postgres.log" -w -t 120 \
        -o "-p $PG_PORT -k $RUN_DIR/sock" start >/dev/null || {
        tail -20 "$RUN_DIR/sock/postgres.log" >&2; die "Postgres did not start"; }
    PG_STARTED=1
}

ready_value() { sed -n "s/^$1=//p" "$CLUSTER/READY" 2>/dev/null; }
if [[ -f "$CLUSTER/READY" && "$(ready_value gen_sql)" == "$GEN_SUM" ]]; then
    log "reusing dataset at $CLUSTER"
    start_pg
else
    log "generating dataset at scale $SCALE_KEY: $N_CUSTOMERS customers, $N_EVENTS events, $N_ATTACHMENTS attachments"
    rm -rf "$CLUSTER"
    mkdir -p "$CLUSTER"
    [[ $IS_ROOT -eq 1 ]] && chown postgres: "$CLUSTER"
    echo "$PG_PASSWORD" > "$RUN_DIR/sock/pw"
    [[ $IS_ROOT -eq 1 ]] && chown postgres: "$RUN_DIR/sock/pw"
    as_pg "$SERVER_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$RUN_DIR/sock/pw" --auth=scram-sha-256 \
        -E UTF8 --locale=C >/dev/null
    # A throwaway benchmark cluster: no durability, no autovacuum noise during measurements.
    cat >> "$PGDATA/postgresql.conf" <<EOF

# --- pgbackup bench ---
listen_addresses = '127.0.0.1'
shared_buffers = 128MB
maintenance_work_mem = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 8GB
checkpoint_timeout = 30min
autovacuum = off
timezone = 'UTC'
log_min_messages = warning
EOF
    start_pg
    gen_start=$SECONDS
    psql -X -q -d postgres -c "CREATE DATABASE bench" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -v n_customers="$N_CUSTOMERS" -v n_events="$N_EVENTS" \
        -v n_attachments="$N_ATTACHMENTS" -f "$BENCH_DIR/gen.sql" >/dev/null
    psql -X -q -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT" >/dev/null
    gen_secs=$((SECONDS - gen_start))
    log "generated in ${gen_secs}s; measuring plain SQL size (pg_dump -Fp | wc -c)"
    mkfifo "$RUN_DIR/sqlfifo"
    md5sum < "$RUN_DIR/sqlfifo" > "$RUN_DIR/sqlmd5" &
    sql_bytes=$(pg_dump -Fp | tee "$RUN_DIR/sqlfifo" | wc -c)
    wait $!
    sql_md5=$(cut -c1-32 "$RUN_DIR/sqlmd5")
    db_bytes=$(psql -X -At -c "SELECT pg_database_size('bench')")
    cat > "$RUN_DIR/READY" <<EOF
gen_sql=$GEN_SUM
scale=$SCALE_KEY
rows=$N_CUSTOMERS/$N_EVENTS/$N_ATTACHMENTS
gen_seconds=$gen_secs
sql_bytes=$sql_bytes
sql_md5=$sql_md5
db_bytes=$db_bytes
EOF
    mv "$RUN_DIR/READY" "$CLUSTER/READY"
fi
SQL_BYTES=$(ready_value sql_bytes)
DB_BYTES=$(ready_value db_bytes)
PM_PID=$(head -1 "$PGDATA/postmaster.pid")
# Warm the OS page cache so the first row measured is not penalised by cold reads.
cat "$PGDATA"/base/*/* > /dev/null 2>&1 || true

# ---------------------------------------------------------------------------------------------
# 2. S3 server (s3proxy, filesystem store under the run directory) and the bucket
# ---------------------------------------------------------------------------------------------
S3PROXY_JAR=$CACHE/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar
if [[ ! -f "$S3PROXY_JAR" ]]; then
    log "downloading s3proxy $S3PROXY_VERSION from Maven Central"
    curl -fsSL -o "$S3PROXY_JAR.part" "$S3PROXY_URL" || die "download failed: $S3PROXY_URL"
    want=$(curl -fsSL "$S3PROXY_URL.sha1" | cut -c1-40) || die "download failed: $S3PROXY_URL.sha1"
    got=$(sha1sum "$S3PROXY_JAR.part" | cut -c1-40)
    [[ "$want" == "$got" ]] || die "s3proxy jar checksum mismatch (want $want, got $got)"
    mv "$S3PROXY_JAR.part" "$S3PROXY_JAR"
fi
S3_PORT=$(free_port)
S3_DIR=$RUN_DIR/s3
mkdir -p "$S3_DIR"
S3_KEY=benchaccesskey
S3_SECRET=benchsecretkey
cat > "$RUN_DIR/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_KEY
s3proxy.credential=$S3_SECRET
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$S3_DIR
jclouds.identity=$S3_KEY
jclouds.credential=$S3_SECRET
EOF
for attempt in 1 2 3; do # a port found free can be taken before s3proxy binds it: retry
    if [[ $attempt -gt 1 ]]; then
        S3_PORT=$(free_port)
        sed -i "s|^s3proxy.endpoint=.*|s3proxy.endpoint=http://127.0.0.1:$S3_PORT|" "$RUN_DIR/s3proxy.properties"
    fi
    java -Xmx512m -jar "$S3PROXY_JAR" --properties "$RUN_DIR/s3proxy.properties" > "$RUN_DIR/s3proxy.log" 2>&1 &
    S3_PID=$!
    ENDPOINT=http://127.0.0.1:$S3_PORT
    for ((i = 0; i < 600; i++)); do
        curl -s -o /dev/null "$ENDPOINT/" && break
        kill -0 "$S3_PID" 2>/dev/null || break
        sleep 0.1
    done
    curl -s -o /dev/null "$ENDPOINT/" && break
    kill "$S3_PID" 2>/dev/null || true; wait "$S3_PID" 2>/dev/null || true; S3_PID=""
    log "s3proxy did not come up on $ENDPOINT (attempt $attempt): $(grep -m1 ' E ' "$RUN_DIR/s3proxy.log" || tail -1 "$RUN_DIR/s3proxy.log")"
done
[[ -n "$S3_PID" ]] || { tail -20 "$RUN_DIR/s3proxy.log" >&2; die "s3proxy did not start"; }
export AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$RUN_DIR/aws-config AWS_SHARED_CREDENTIALS_FILE=$RUN_DIR/aws-credentials
: > "$AWS_CONFIG_FILE"; : > "$AWS_SHARED_CREDENTIALS_FILE"
aws --endpoint-url "$ENDPOINT" s3 mb "s3://$BUCKET" >/dev/null || die "cannot create bucket on $ENDPOINT"
aws --endpoint-url "$ENDPOINT" s3 mb "s3://$BUCKET-copy" >/dev/null || die "cannot create the copy bucket on $ENDPOINT"
log "Postgres on 127.0.0.1:$PG_PORT, s3proxy on $ENDPOINT (store $S3_DIR)"

# ---------------------------------------------------------------------------------------------
# 3. Measurements
# ---------------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
server_cpu() { # postmaster + reaped backends, seconds
    awk -v hz="$CLK_TCK" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$PM_PID/stat"
}
PGB_ENV="env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
PG_URI=postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/bench S3_BUCKET=$BUCKET \
AWS_ENDPOINT_URL_S3=$ENDPOINT S3_PATH_STYLE=true PROGRESS_INTERVAL=3600 ${BENCH_ENV:-}"
PGB="$PGB_ENV java $JAVA_OPTS -jar $JAR backup"
SEED_CMD="pg_dump -Fc > $RUN_DIR/seed.dump && pg_dump > $RUN_DIR/seed.sql \
&& aws --endpoint-url $ENDPOINT s3 cp --only-show-errors $RUN_DIR/seed.dump s3://$BUCKET/seed/@RUN@.dump \
&& aws --endpoint-url $ENDPOINT s3 cp --only-show-errors $RUN_DIR/seed.sql s3://$BUCKET/seed/@RUN@.sql"

ROWS=(L 2 3 3e P R P1 RS)
[[ $QUICK -eq 1 ]] || ROWS=(L N1 N2 J 2 3 3c 3n 3e P R P1 RS)
# Encryption (age) needs a recipient: a key made for this run. Jagged's ChaCha20-Poly1305 runs
# on the JDK's: Java 17 has no intrinsic for it, later JDKs do, so the encrypted row is also
# measured on JAVA25 (default: the Temurin 25 on this machine), next to row 3 on the same JVM.
JAVA25=${BENCH_JAVA25:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}
AGE_RECIPIENT=""
if [[ "${BENCH_ENCRYPTION:-1}" == 1 ]] && command -v age-keygen >/dev/null 2>&1; then
    age-keygen -o "$RUN_DIR/bench-age-key.txt" 2>/dev/null
    AGE_RECIPIENT=$(age-keygen -y "$RUN_DIR/bench-age-key.txt")
else
    log "no age-keygen (apt-get install age) or BENCH_ENCRYPTION=0: skipping the encrypted rows"
    ROWS=("${ROWS[@]/3e}")
fi
if [[ -n "$AGE_RECIPIENT" && -n "$JAVA25" && -x "$JAVA25" ]]; then
    ROWS=("${ROWS[@]/%3e/3e 3t 3et}")
fi
read -r -a ROWS <<< "${ROWS[*]}"
declare -A DESC CMD WALL USR SYS CPU RSS BRK SRV OBJ TOOL PCPU COUNT
DESC[L]="pg_dump -Fp -f /dev/null (floor)"
DESC[N1]="pg_dump -Fc $DUMP_Z > /dev/null"
DESC[N2]="pg_dump -Fc $DUMP_Z | pg_restore -f - | zstd -1 >/dev/null"
DESC[J]="java -jar pgbackup.jar --version (JVM start)"
DESC[2]="seed: pg_dump -Fc>f; pg_dump>f; aws s3 cp x2"
DESC[3]="pgbackup backup (custom + sql.zst)"
DESC[3c]="pgbackup backup --format custom"
DESC[3n]="pgbackup backup --sql-compression none"
CMD[L]="pg_dump -Fp -f /dev/null"
CMD[N1]="pg_dump -Fc $DUMP_Z > /dev/null"
CMD[N2]="set -o pipefail; pg_dump -Fc $DUMP_Z | pg_restore -f - | zstd -1 -q -c > /dev/null"
CMD[J]="$PGB_ENV java $JAVA_OPTS -jar $JAR --version"
CMD[2]=$SEED_CMD
CMD[3]="$PGB"
CMD[3c]="$PGB --format custom"
CMD[3n]="$PGB --sql-compression none"
DESC[3e]="pgbackup backup --age-recipient (encrypted, both)"
CMD[3e]="$PGB --age-recipient $AGE_RECIPIENT"
DESC[3t]="pgbackup backup on Java 25 (\$JAVA25)"
CMD[3t]="$PGB_ENV $JAVA25 $JAVA_OPTS -jar $JAR backup"
DESC[3et]="pgbackup backup --age-recipient on Java 25"
CMD[3et]="$PGB_ENV $JAVA25 $JAVA_OPTS -jar $JAR backup --age-recipient $AGE_RECIPIENT"
DESC[P]="createdb; pg_restore -j 2 -d db <local archive>"
DESC[R]="pgbackup restore --jobs 2 --create db (from S3)"
CMD[P]="createdb rp_@RUN@ && pg_restore -j 2 --exit-on-error -d rp_@RUN@ $RUN_DIR/restore.dump"
CMD[R]="S3_PREFIX=restore $PGB_ENV java $JAVA_OPTS -jar $JAR restore --jobs 2 --temp-dir $RUN_DIR \
--target postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres --create rr_@RUN@"
DESC[D]="pgbackup drill (restore + exact row counts)"
CMD[D]="S3_PREFIX=restore $PGB_ENV java $JAVA_OPTS -jar $JAR drill \
--target postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
DESC[P1]="createdb; pg_restore -d db <local archive> (one job)"
DESC[RS]="pgbackup restore --create db (streamed from S3, one job)"
CMD[P1]="createdb rp_@RUN@ && pg_restore --exit-on-error -d rp_@RUN@ $RUN_DIR/restore.dump"
CMD[RS]="S3_PREFIX=restore $PGB_ENV java $JAVA_OPTS -jar $JAR restore \
--target postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres --create rr_@RUN@"
if [[ -n "${BASELINE_JAR:-}" ]]; then
    [[ -f "$BASELINE_JAR" ]] || die "--baseline-jar $BASELINE_JAR not found"
    ROWS+=(3b)
    DESC[3b]="row 3 with the baseline jar"
    CMD[3b]="$PGB_ENV java $JAVA_OPTS -jar $BASELINE_JAR backup"
fi
if [[ -n "${BASELINE_JAR:-}" && -n "$AGE_RECIPIENT" ]]; then
    DESC[3eb]="row 3e with the baseline jar (--rows to measure it)"
    CMD[3eb]="$PGB_ENV java $JAVA_OPTS -jar $BASELINE_JAR backup --age-recipient $AGE_RECIPIENT"
fi
if [[ "${COPY_ROW:-0}" == 1 ]]; then
    ROWS+=(3s)
    DESC[3s]="pgbackup backup with a second store (COPY_S3_BUCKET)"
    CMD[3s]="COPY_S3_BUCKET=$BUCKET-copy COPY_S3_PREFIX=r@RUN@ COPY_AWS_ENDPOINT_URL_S3=$ENDPOINT COPY_S3_PATH_STYLE=true $PGB"
fi
if [[ "$SERVER_DBS" -gt 1 ]]; then
    dbs=bench
    for ((i = 2; i <= SERVER_DBS; i++)); do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench_s$i" -c "CREATE DATABASE bench_s$i TEMPLATE bench" >/dev/null
        dbs+=",bench_s$i"
    done
    ROWS+=(S1 S2)
    DESC[S1]="pgbackup backup --databases ($SERVER_DBS dbs, 1 at a time)"
    DESC[S2]="pgbackup backup --databases ($SERVER_DBS dbs) --parallel-databases 2"
    CMD[S1]="$PGB --databases $dbs"
    CMD[S2]="$PGB --databases $dbs --parallel-databases 2"
    if [[ -n "${BASELINE_JAR:-}" ]]; then
        DESC[S1b]="row S1 with the baseline jar (--rows to measure it)"
        CMD[S1b]="$PGB_ENV java $JAVA_OPTS -jar $BASELINE_JAR backup --databases $dbs"
    fi
fi
if [[ -n "$ONLY_ROWS" ]]; then
    read -r -a ROWS <<< "$ONLY_ROWS"
fi
for ((x = 0; x < ${#EXTRA_ARGS[@]}; x++)); do
    row=X$((x + 1)) jvm=${EXTRA_JVM[$x]:-$JAVA_OPTS}
    ROWS+=("$row")
    DESC[$row]="pgbackup backup ${EXTRA_ARGS[$x]}${EXTRA_JVM[$x]:+ [JVM: ${EXTRA_JVM[$x]}]}"
    CMD[$row]="$PGB_ENV java $jvm -jar $JAR backup ${EXTRA_ARGS[$x]}"
done

# measure <row> <run id>: runs CMD[row] with S3_PREFIX=<row>-<run> and fills TIME_* variables.
measure() {
    local row=$1 run=$2 base="$RUN_DIR/m-$1-$2" cmd=${CMD[$1]//@RUN@/$1-$2}
    local s0 s1 pid spid rc=0
    s0=$(server_cpu)
    S3_PREFIX="r$row-$run" setsid /usr/bin/time -f '%e %U %S %M' -o "$base.time" \
        bash -c "$cmd" > "$base.out" 2> "$base.err" &
    pid=$!
    CUR_PGID=$pid
    "$BENCH_DIR/treerss.sh" "$pid" "$base.rss" 0.1 &
    spid=$!
    wait "$pid" || rc=$?
    CUR_PGID=""
    wait "$spid" || true
    sleep 0.3 # let the postmaster reap the backend so its CPU is counted
    s1=$(server_cpu)
    if [[ $rc -ne 0 ]]; then
        echo "---- $row failed (exit $rc): $cmd" >&2; tail -30 "$base.err" >&2
        die "row $row failed"
    fi
    read -r T_WALL T_USR T_SYS _ < <(tail -1 "$base.time")
    read -r T_RSS _ T_BRK < "$base.rss"
    T_PCPU=$(cat "$base.rss.cpu" 2>/dev/null || true)
    T_SRV=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", b - a }')
    # pgbackup's own "backup ... complete: ... in 6.1 s": time from its first log line to the end
    T_TOOL=$(sed -n 's/.* complete: .* in \([0-9.]*\) s.*/\1/p' "$base.err" | tail -1)
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
obj_sizes() { # obj_sizes <prefix>: "<suffix>=<bytes> ..." of the objects under the prefix
    aws --endpoint-url "$ENDPOINT" s3 ls --recursive "s3://$BUCKET/$1/" \
        | awk '{ k = $4; sub(/^[^.]*/, "", k); printf "%s=%s ", k, $3 }'
}

# The restore rows need one backup (prefix "restore") and its archive as a local file.
if [[ " ${ROWS[*]} " =~ \ (P|R|P1|RS|D)\  ]]; then
    log "taking the backup the restore rows use"
    S3_PREFIX=restore bash -c "$PGB --format custom" > "$RUN_DIR/restore.key" 2> "$RUN_DIR/restore.err" \
        || { tail -20 "$RUN_DIR/restore.err" >&2; die "backup for the restore rows failed"; }
    aws --endpoint-url "$ENDPOINT" s3 cp --only-show-errors \
        "s3://$BUCKET/$(sed 's/\.json$/.dump/' "$RUN_DIR/restore.key")" "$RUN_DIR/restore.dump"
fi

declare -A SANITY
log "scale $SCALE_KEY: plain SQL $(mb "$SQL_BYTES") MiB, database $(mb "$DB_BYTES") MiB; rows: ${ROWS[*]}; repeat $REPEAT; load avg $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((rep = 1; rep <= REPEAT; rep++)); do
    for row in "${ROWS[@]}"; do
        log "run $rep/$REPEAT row $row: ${DESC[$row]}"
        case $row in # a database left by an interrupted earlier run must not fail this one
            P|P1) "$PG_BIN/dropdb" --if-exists "rp_$row-$rep" ;;
            R|RS) "$PG_BIN/dropdb" --if-exists "rr_$row-$rep" ;;
        esac
        measure "$row" "$rep"
        cpu=$(awk -v u="$T_USR" -v s="$T_SYS" 'BEGIN { printf "%.2f", u + s }')
        log "   wall ${T_WALL}s cpu ${cpu}s peak tree RSS $(awk -v k="$T_RSS" 'BEGIN { printf "%.0f", k / 1024 }') MiB server cpu ${T_SRV}s"
        objs="" T_COUNT=""
        case $row in
            2) objs="dump=$(stat -c %s "$RUN_DIR/seed.dump") sql=$(stat -c %s "$RUN_DIR/seed.sql")"
               rm -f "$RUN_DIR/seed.dump" "$RUN_DIR/seed.sql" ;;
            S*) objs=$(obj_sizes "r$row-$rep") ;;
            3*|X*) objs=$(obj_sizes "r$row-$rep")
                # the CPU the row counting of the dump stream took, as pgbackup logs it
                T_COUNT=$(grep -o 'counted in the dump stream ([0-9.]* s of CPU)' "$RUN_DIR/m-$row-$rep.err" | grep -o '[0-9.]\+ s' | cut -d' ' -f1 || true)
                if [[ $row == 3 && -z "${SANITY[3]:-}" ]]; then
                    key=$(tail -1 "$RUN_DIR/m-$row-$rep.out")
                    zkey=$(aws --endpoint-url "$ENDPOINT" s3 ls --recursive "s3://$BUCKET/r$row-$rep/" | awk '/\.sql\.zst$/ { print $4 }')
                    unz=$(aws --endpoint-url "$ENDPOINT" s3 cp --only-show-errors "s3://$BUCKET/$zkey" - | zstd -dc | wc -c)
                    SANITY[3]="manifest $key; sql.zst decompresses to $unz bytes (pg_dump -Fp: $SQL_BYTES)"
                fi ;;
        esac
        case $row in
            P|P1) "$PG_BIN/dropdb" --if-exists "rp_$row-$rep" ;;
            R|RS) "$PG_BIN/dropdb" --if-exists "rr_$row-$rep" ;;
            *) aws --endpoint-url "$ENDPOINT" s3 rm --recursive --only-show-errors "s3://$BUCKET/r$row-$rep/" >/dev/null || true
               [[ $row != 3s ]] || aws --endpoint-url "$ENDPOINT" s3 rm --recursive --only-show-errors \
                   "s3://$BUCKET-copy/r$row-$rep/" >/dev/null || true ;;
        esac
        if [[ -z "${WALL[$row]:-}" ]] || awk -v a="$T_WALL" -v b="${WALL[$row]}" 'BEGIN { exit !(a < b) }'; then
            WALL[$row]=$T_WALL USR[$row]=$T_USR SYS[$row]=$T_SYS CPU[$row]=$cpu SRV[$row]=$T_SRV OBJ[$row]=$objs
            TOOL[$row]=${T_TOOL:--} PCPU[$row]=$T_PCPU COUNT[$row]=${T_COUNT:-}
        fi
        if [[ -z "${RSS[$row]:-}" || "$T_RSS" -gt "${RSS[$row]}" ]]; then RSS[$row]=$T_RSS BRK[$row]=$T_BRK; fi
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
mkdir -p "$CACHE/results"
REPORT=$CACHE/results/scale-$SCALE_KEY-$(date +%Y%m%d-%H%M%S).txt
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "PASS" : "MISS" }'; }
{
    echo "pgbackup benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  host $(hostname)  $(nproc) cores"
    echo "scale $SCALE_KEY: rows $N_CUSTOMERS customers / $N_EVENTS events / $N_ATTACHMENTS attachments;" \
         "plain SQL (pg_dump -Fp) $SQL_BYTES bytes = $(mb "$SQL_BYTES") MiB; database $(mb "$DB_BYTES") MiB"
    echo "pg_dump $(pg_dump --version | awk '{ print $3 }') (--pg $PG_SEL), server $("$SERVER_BIN/postgres" --version | awk '{ print $3 }'); java $(java -version 2>&1 | head -1 | awk -F'"' '{ print $2 }');" \
         "JVM opts: $JAVA_OPTS; $(aws --version 2>&1 | cut -d' ' -f1); s3proxy $S3PROXY_VERSION (filesystem-nio2)"
    echo "best of $REPEAT run(s) by wall time; peak RSS = max over runs; load avg before: $LOAD_BEFORE, after: $LOAD_AFTER"
    echo
    printf '%-4s %-56s %7s %7s %7s %7s %10s %7s %7s %8s\n' row command wall_s cpu_s user_s sys_s peakRSS_MiB pgsrv_s tool_s cpufloor
    for row in "${ROWS[@]}"; do
        printf '%-4s %-56s %7.2f %7.2f %7.2f %7.2f %10.0f %7.1f %7s %8.2f\n' "$row" "${DESC[$row]}" "${WALL[$row]}" "${CPU[$row]}" \
            "${USR[$row]}" "${SYS[$row]}" "$(awk -v k="${RSS[$row]}" 'BEGIN { print k / 1024 }')" "${SRV[$row]}" "${TOOL[$row]}" \
            "$(awk -v c="${CPU[$row]}" -v s="${SRV[$row]}" -v n="$(nproc)" 'BEGIN { print (c + s) / n }')"
    done
    echo "cpu_s = user+sys of the measured process tree; pgsrv_s = Postgres server CPU in the same window (not in cpu_s);"
    echo "tool_s = duration pgbackup itself logs for the backup (after JVM start, version probes and DB queries);"
    echo "cpufloor = (cpu_s + pgsrv_s) / $(nproc) cores: the wall time this row cannot beat on this machine"

    echo
    echo "peak tree RSS breakdown (process:KiB at the peak sample):"
    for row in "${ROWS[@]}"; do echo "  $row:${BRK[$row]}"; done
    echo
    echo "CPU seconds by process (user+sys, sampled, so slightly under cpu_s):"
    for row in "${ROWS[@]}"; do echo "  $row: ${PCPU[$row]}"; done
    echo
    echo "objects (bytes):"
    for row in "${ROWS[@]}"; do
        if [[ -n "${OBJ[$row]:-}" ]]; then echo "  $row: ${OBJ[$row]}"; fi
    done
    if [[ -n "${SANITY[3]:-}" ]]; then echo "  check: ${SANITY[3]}"; fi
    echo
    if [[ -n "${WALL[3]:-}" && -n "${WALL[L]:-}" && -n "${WALL[2]:-}" ]]; then
        r3l=$(ratio "${WALL[3]}" "${WALL[L]}")
        r23=$(ratio "${WALL[2]}" "${WALL[3]}")
        rss3=$(awk -v k="${RSS[3]}" 'BEGIN { printf "%.1f", k / 1024 }')
        printf 'ratio 3/L wall  %6s   target <= 1.5   %s\n' "$r3l" "$(verdict "$r3l" '<=' 1.5)"
        printf 'ratio 2/3 wall  %6s   target >= 3     %s\n' "$r23" "$(verdict "$r23" '>=' 3)"
        printf 'peak RSS of 3   %6s MiB  target <= 200  %s\n' "$rss3" "$(verdict "$rss3" '<=' 200)"
        printf 'ratio 2/3 cpu   %6s   (tree CPU, server excluded)\n' "$(ratio "${CPU[2]}" "${CPU[3]}")"
    fi
    for row in "${ROWS[@]}"; do
        if [[ -n "${COUNT[$row]:-}" ]]; then
            pct=$(awk -v c="${COUNT[$row]}" -v t="${CPU[$row]}" 'BEGIN { printf "%.1f", 100 * c / t }')
            printf 'row counting of %-3s %5s s CPU = %4s%% of its tree CPU   target < 3%%  %s\n' "$row" "${COUNT[$row]}" "$pct" \
                "$(verdict "$pct" '<=' 3)"
        fi
    done
    if [[ -n "${WALL[3b]:-}" ]]; then
        printf 'ratio 3/3b wall %6s   (this build vs --baseline-jar %s; cpu %s; 3b/L %s)\n' "$(ratio "${WALL[3]}" "${WALL[3b]}")" \
            "$BASELINE_JAR" "$(ratio "${CPU[3]}" "${CPU[3b]}")" "$(ratio "${WALL[3b]}" "${WALL[L]}")"
    fi
    if [[ -n "${WALL[3s]:-}" ]]; then
        printf 'ratio 3s/3 wall %6s   (a second store from the same pg_dump read; cpu %s; peak RSS %s MiB)\n' \
            "$(ratio "${WALL[3s]}" "${WALL[3]}")" "$(ratio "${CPU[3s]}" "${CPU[3]}")" \
            "$(awk -v k="${RSS[3s]}" 'BEGIN { printf "%.1f", k / 1024 }')"
    fi
    for pair in "3e 3eb" "S1 S1b"; do
        read -r now before <<< "$pair"
        if [[ -n "${WALL[$now]:-}" && -n "${WALL[$before]:-}" ]]; then
            printf 'ratio %s/%s wall %5s   (this build vs --baseline-jar; cpu %s; peak RSS %s vs %s MiB)\n' "$now" "$before" \
                "$(ratio "${WALL[$now]}" "${WALL[$before]}")" "$(ratio "${CPU[$now]}" "${CPU[$before]}")" \
                "$(awk -v k="${RSS[$now]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
                "$(awk -v k="${RSS[$before]}" 'BEGIN { printf "%.1f", k / 1024 }')"
        fi
    done
    if [[ -n "${WALL[S2]:-}" && -n "${WALL[S1]:-}" ]]; then
        printf 'ratio S2/S1 wall %5s   (%s databases, 2 at a time vs 1; cpu %s)\n' "$(ratio "${WALL[S2]}" "${WALL[S1]}")" \
            "$SERVER_DBS" "$(ratio "${CPU[S2]}" "${CPU[S1]}")"
        rsss2=$(awk -v k="${RSS[S2]}" 'BEGIN { printf "%.1f", k / 1024 }')
        printf 'peak RSS of S2  %6s MiB  target <= 200  %s   (S1: %s MiB)\n' "$rsss2" "$(verdict "$rsss2" '<=' 200)" \
            "$(awk -v k="${RSS[S1]}" 'BEGIN { printf "%.1f", k / 1024 }')"
    fi
    if [[ -n "${WALL[3e]:-}" ]]; then
        r3e=$(ratio "${WALL[3e]}" "${WALL[3]}")
        rss3e=$(awk -v k="${RSS[3e]}" 'BEGIN { printf "%.1f", k / 1024 }')
        printf 'ratio 3e/3 wall %6s   target <= 1.15  %s   (encryption overhead, Java %s; cpu %s)\n' "$r3e" \
            "$(verdict "$r3e" '<=' 1.15)" "$(java -version 2>&1 | head -1 | awk -F'"' '{ print $2 }')" "$(ratio "${CPU[3e]}" "${CPU[3]}")"
        printf 'peak RSS of 3e  %6s MiB  target <= 200  %s\n' "$rss3e" "$(verdict "$rss3e" '<=' 200)"
    fi
    if [[ -n "${WALL[3et]:-}" ]]; then
        r3et=$(ratio "${WALL[3et]}" "${WALL[3t]}")
        printf 'ratio 3et/3t    %6s   target <= 1.15  %s   (encryption overhead on %s; cpu %s)\n' "$r3et" \
            "$(verdict "$r3et" '<=' 1.15)" "$("$JAVA25" -version 2>&1 | head -1 | awk -F'"' '{ print $2 }')" \
            "$(ratio "${CPU[3et]}" "${CPU[3t]}")"
        printf 'peak RSS of 3et %6s MiB; Java 25 vs 17 unencrypted (3t/3 wall) %s\n' \
            "$(awk -v k="${RSS[3et]}" 'BEGIN { printf "%.1f", k / 1024 }')" "$(ratio "${WALL[3t]}" "${WALL[3]}")"
    fi
    if [[ -n "${WALL[R]:-}" ]]; then
        rrp=$(ratio "${WALL[R]}" "${WALL[P]}")
        printf 'ratio R/P wall  %6s   target <= 1.15  %s   (pgbackup restore --jobs 2 vs pg_restore -j 2 of a local file)\n' \
            "$rrp" "$(verdict "$rrp" '<=' 1.15)"
    fi
    if [[ -n "${WALL[RS]:-}" && -n "${WALL[P1]:-}" ]]; then
        rsp=$(ratio "${WALL[RS]}" "${WALL[P1]}")
        printf 'ratio RS/P1 wall %5s   target <= 1.15  %s   (streamed restore vs pg_restore of a local file, one job; cpu %s)\n' \
            "$rsp" "$(verdict "$rsp" '<=' 1.15)" "$(ratio "${CPU[RS]}" "${CPU[P1]}")"
    fi
    if [[ -n "${WALL[RS]:-}" && -n "${WALL[P]:-}" ]]; then
        printf 'ratio RS/P wall %6s   (streamed restore, one job, vs pg_restore -j 2 of a local file)\n' \
            "$(ratio "${WALL[RS]}" "${WALL[P]}")"
    fi
    if [[ -n "${WALL[3]:-}" && -n "${WALL[L]:-}" ]]; then
        printf 'throughput of 3 %6s MiB/s of plain SQL; L %s MiB/s\n' \
            "$(awk -v b="$SQL_BYTES" -v t="${WALL[3]}" 'BEGIN { printf "%.1f", b / 1048576 / t }')" \
            "$(awk -v b="$SQL_BYTES" -v t="${WALL[L]}" 'BEGIN { printf "%.1f", b / 1048576 / t }')"
    fi
} | tee "$REPORT"
log "report saved to $REPORT"
