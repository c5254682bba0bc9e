#!/bin/sh
# Container entrypoint for pgbackup.
#
#   (no arguments)   -> "pgbackup backup", or "pgbackup tick" when BACKUP_CRON is set (an outside
#                       scheduler, e.g. a Kubernetes CronJob, starts the container; tick decides
#                       whether a BACKUP_CRON slot is due)
#   anything else    -> passed to pgbackup unchanged: "schedule", "drill", "--help", ...
#
# JAVA_OPTS          JVM flags, split on blanks (the image sets defaults for a 256 MB machine).
# TMPDIR             where staged upload parts and --jobs downloads go (passed as java.io.tmpdir).
# PGBACKUP_CDS       AppCDS archive used when readable (default /app/pgbackup.jsa; empty: none).
# PGBACKUP_JAVA      the java binary (default: java on PATH).
# PGBACKUP_JAR       the jar (default /app/pgbackup.jar).
# PGBACKUP_TICK_PRECHECK  1 (default): a bare "tick" first asks "tick --check" in a fast-starting
#                    JVM and starts the backup-capable JVM only when a slot is due (exit 12).
#
# Nothing here prints the environment: PG_URI and the AWS keys are secrets.
set -eu

java_bin=${PGBACKUP_JAVA:-java}
jar=${PGBACKUP_JAR:-/app/pgbackup.jar}
cds=${PGBACKUP_CDS-/app/pgbackup.jsa}

if [ "$#" -eq 0 ]; then
    if [ -n "${BACKUP_CRON:-}" ]; then
        set -- tick
    else
        set -- backup
    fi
fi

# The JVM writes its own warnings (e.g. a stale CDS archive) to stdout by default; stdout is
# pgbackup's interface (the manifest key), so they go to stderr. JAVA_OPTS comes later and wins.
jvm_opts="-Xlog:disable -Xlog:all=warning:stderr"
# TMPDIR, the Unix convention, is where staged upload parts and --jobs downloads go (Java reads
# only java.io.tmpdir): point it at a volume when the container's own disk is small.
if [ -n "${TMPDIR:-}" ]; then
    jvm_opts="$jvm_opts -Djava.io.tmpdir=$TMPDIR"
fi
if [ -n "$cds" ] && [ -r "$cds" ]; then
    jvm_opts="$jvm_opts -XX:SharedArchiveFile=$cds"
fi

# No pathname expansion while the options are split below.
set -f

# A woken tick usually finds nothing due. Decide that in a JVM that starts fast (C1 only: ~0.4 s
# less than the image's C2 flags), and start the JVM that can run a backup (C2, whose SHA-256
# intrinsics the uploads need) only when a slot is due; that run decides again under the lock.
# PGBACKUP_TICK_PRECHECK=0 turns this off.
if [ "$#" -eq 1 ] && [ "$1" = tick ] && [ "${PGBACKUP_TICK_PRECHECK:-1}" = 1 ]; then
    rc=0
    # shellcheck disable=SC2086 # the options must be split into separate JVM flags
    "$java_bin" $jvm_opts ${JAVA_OPTS:-} -XX:TieredStopAtLevel=1 -jar "$jar" tick --check || rc=$?
    if [ "$rc" -ne 12 ]; then
        exit "$rc" # 0: nothing due (the answer is printed); anything else: the failure, already reported
    fi
fi

# exec: the JVM replaces this shell (PID 1 in a container), so SIGTERM/SIGINT reach pgbackup's
# handlers directly; an interrupted backup aborts its uploads and exits 130.
# shellcheck disable=SC2086 # the options must be split into separate JVM flags
exec "$java_bin" $jvm_opts ${JAVA_OPTS:-} -jar "$jar" "$@"
