#!/usr/bin/env bash
# What a logging library adds to start-up, measured where it matters: an hourly `tick` with
# nothing due (JVM start to exit), run by the image's JVM flags.
#
# Variants, all in this one invocation (ratios against "ours" are what to read):
#   ours-text     pgbackup's own SLF4J provider (io.pgbackup.log), text lines
#   ours-json     the same, LOG_FORMAT=json (Jackson's streaming generator, already on the classpath)
#   simple        slf4j-simple 2.0.17 instead of ours
#   logback-text  logback-classic 1.5.x, a pattern layout on stderr
#   logback-json  logback-classic 1.5.x with its JsonEncoder
# Each variant logs the same debug line (the tick's decision), so the provider really initialises and formats.
#
# Usage: bench/logging.sh [--runs N] (default 15; the median and the min are reported)
# Env: BENCH_JAR (default target/pgbackup.jar), BENCH_JAVA_OPTS (default: the image's JAVA_OPTS)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=15
while (($#)); do
    case "$1" in
        --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "logging.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
JAR=${BENCH_JAR:-$ROOT/target/pgbackup.jar}
[[ -f "$JAR" ]] || { echo "logging.sh: $JAR not found: ./mvnw -o -q package -DskipTests" >&2; exit 1; }
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xmx64m -XX:MaxMetaspaceSize=48m -Xss512k -XX:ReservedCodeCacheSize=24m -XX:CICompilerCount=2}
CACHE=$ROOT/bench/.cache/logging
mkdir -p "$CACHE"
LOGBACK=1.5.18
fetch() { # groupId artifactId version
    local f="$CACHE/$2-$3.jar"
    if [[ ! -f "$f" ]]; then
        (cd "$ROOT" && ./mvnw -B -q dependency:copy -Dartifact="$1:$2:$3" -DoutputDirectory="$CACHE" -Dmdep.overWriteIfNewer=true) >&2
    fi
    echo "$f"
}
SIMPLE=$(fetch org.slf4j slf4j-simple 2.0.17)
LB_CLASSIC=$(fetch ch.qos.logback logback-classic $LOGBACK)
LB_CORE=$(fetch ch.qos.logback logback-core $LOGBACK)

# pgbackup without its own provider's registration, for the other providers
BARE=$CACHE/pgbackup-bare.jar
cp "$JAR" "$BARE"
zip -q -d "$BARE" META-INF/services/org.slf4j.spi.SLF4JServiceProvider >/dev/null

cat > "$CACHE/logback-text.xml" <<'EOF'
<configuration>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %level %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="DEBUG"><appender-ref ref="ERR"/></root>
</configuration>
EOF
cat > "$CACHE/logback-json.xml" <<'EOF'
<configuration>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder class="ch.qos.logback.classic.encoder.JsonEncoder"/>
  </appender>
  <root level="DEBUG"><appender-ref ref="ERR"/></root>
</configuration>
EOF

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export BACKUP_DIR=$WORK/store PG_URI=postgres://u:p@127.0.0.1:1/db BACKUP_CRON='0 3 * * *'
# At debug a tick with nothing due logs one line (its decision): the provider initialises and formats.
export LOG_LEVEL=debug

declare -A CP ARGS FMT
CP[ours-text]=$JAR;                        FMT[ours-text]=text
CP[ours-json]=$JAR;                        FMT[ours-json]=json
CP[simple]=$SIMPLE:$BARE;                  ARGS[simple]="-Dorg.slf4j.simpleLogger.defaultLogLevel=debug -Dorg.slf4j.simpleLogger.logFile=System.err"
CP[logback-text]=$LB_CLASSIC:$LB_CORE:$BARE; ARGS[logback-text]="-Dlogback.configurationFile=$CACHE/logback-text.xml"
CP[logback-json]=$LB_CLASSIC:$LB_CORE:$BARE; ARGS[logback-json]="-Dlogback.configurationFile=$CACHE/logback-json.xml"
ORDER=(ours-text ours-json simple logback-text logback-json)

one() { # variant -> "wall user sys lines"
    local v=$1
    # shellcheck disable=SC2086
    LOG_FORMAT=${FMT[$v]:-text} /usr/bin/time -f "%e %U %S" -o "$WORK/t" \
        java $JAVA_OPTS ${ARGS[$v]:-} -cp "${CP[$v]}" io.pgbackup.Main tick >"$WORK/out" 2>"$WORK/err" || {
        echo "logging.sh: $v failed:" >&2; cat "$WORK/err" >&2; exit 1; }
    grep -q "nothing due" "$WORK/out" || { echo "logging.sh: $v: unexpected output" >&2; cat "$WORK/out" "$WORK/err" >&2; exit 1; }
    echo "$(cat "$WORK/t") $(wc -l < "$WORK/err")"
}

for v in "${ORDER[@]}"; do one "$v" >/dev/null; done # warm the page cache
declare -A WALL CPU LINES
for ((i = 0; i < RUNS; i++)); do
    for v in "${ORDER[@]}"; do # interleaved: drift hits every variant alike
        read -r w u s l < <(one "$v")
        WALL[$v]+="$w "
        CPU[$v]+="$(echo "$u + $s" | bc) "
        LINES[$v]=$l
    done
done
stats() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[int((NR+1)/2)], a[1]}'; }
read -r base_w _ < <(echo "${WALL[ours-text]}" | stats)
printf '%s\n' "tick, nothing due, $RUNS interleaved runs per variant; java $(java -version 2>&1 | head -1 | cut -d'"' -f2); $(nproc) cores"
printf '%-13s %10s %9s %12s %9s %6s\n' variant wall_med_s wall_min cpu_med_s vs_ours lines
for v in "${ORDER[@]}"; do
    read -r wm wmin < <(echo "${WALL[$v]}" | stats)
    read -r cm _ < <(echo "${CPU[$v]}" | stats)
    printf '%-13s %10s %9s %12s %9s %6s\n' "$v" "$wm" "$wmin" "$cm" "$(echo "scale=2; $wm / $base_w" | bc)" "${LINES[$v]}"
done
