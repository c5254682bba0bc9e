#!/usr/bin/env bash
# Fetches one PostgreSQL major's programs from Debian for this (bookworm) host, without installing
# anything: downloads the package and its library closure with apt from the Debian suite that
# packages that major (the host's apt state and libraries are not touched; the suite's package
# lists are kept in DEST) and unpacks them under DEST/root. Binaries of a newer suite need its
# newer glibc, so every program in .../postgresql/<major>/bin becomes a wrapper that runs the real
# one (moved to bin.real) with the suite's own dynamic loader and libraries; --argv0 keeps the
# wrapper's path as the program's own, so pg_ctl and initdb find the wrapped postgres and the
# share directory next to it.
#
#   scripts/pg-debian.sh MAJOR DEST [client|server]   prints the bin directory on success
#
#   client (default): postgresql-client-MAJOR (pg_dump, pg_restore, pg_dumpall, psql, ...)
#   server:           postgresql-MAJOR (the server and the client programs)
#
# Suites: 13 bullseye, 15 bookworm, 17 trixie, 18 sid (unstable; its Release file may be past its
# validity date on the reachable mirror, so validity is not checked for it). Debian packages no
# 14 or 16: those need the PGDG repository (apt.postgresql.org), which the container image uses
# when its base has it. DEBIAN_MIRROR overrides the mirror.
set -euo pipefail
major=${1:?usage: pg-debian.sh MAJOR DEST [client|server]}
dest=${2:?usage: pg-debian.sh MAJOR DEST [client|server]}
kind=${3:-client}
case "$major" in
    13) suite=bullseye ;;
    15) suite=bookworm ;;
    17) suite=trixie ;;
    18) suite=sid ;;
    *) echo "pg-debian.sh: Debian packages no PostgreSQL $major (13, 15, 17 and 18 only)" >&2; exit 2 ;;
esac
case "$kind" in
    client) pkg=postgresql-client-$major; probe=pg_dump ;;
    server) pkg=postgresql-$major; probe=postgres ;;
    *) echo "pg-debian.sh: the third argument is client or server, not '$kind'" >&2; exit 2 ;;
esac
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
pgdir=$dest/root/usr/lib/postgresql/$major
if [[ -x "$pgdir/bin/$probe" ]] && "$pgdir/bin/$probe" --version 2>/dev/null | grep -q " $major\."; then
    echo "$pgdir/bin"; exit 0
fi
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
apt_dir=$dest/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dest/debs"
echo "deb $mirror $suite main" > "$apt_dir/sources.list"
: > "$apt_dir/status" # nothing counts as installed: the host's newer packages must not win over the suite's
opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1
      -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false)
apt-get "${opts[@]}" -qq update >&2
mapfile -t pkgs < <(apt-cache "${opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances --no-pre-depends "$pkg" | grep -E '^[a-z0-9]' | sort -u)
rm -f "$dest"/debs/*.deb
(cd "$dest/debs" && apt-get "${opts[@]}" -qq download "${pkgs[@]}" >&2)
rm -rf "$dest/root" && mkdir -p "$dest/root"
for deb in "$dest"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
mv "$pgdir/bin" "$pgdir/bin.real"
mkdir -p "$pgdir/bin"
libs=$dest/root/usr/lib/x86_64-linux-gnu:$dest/root/lib/x86_64-linux-gnu
if [[ $suite == bullseye ]]; then
    # An older glibc than the host's: the host's loader and libc run these binaries; only the
    # libraries the host lacks (libssl1.1, ...) come from the suite, and its libc must not.
    rm -f "$dest"/root/lib/x86_64-linux-gnu/{libc,libm,libpthread,libdl,librt,libresolv}[.-]* \
          "$dest"/root/lib/x86_64-linux-gnu/ld-linux* "$dest"/root/lib64/ld-linux*
    for prog in "$pgdir"/bin.real/*; do
        printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "'$libs'" "'$prog'" > "$pgdir/bin/${prog##*/}"
        chmod 755 "$pgdir/bin/${prog##*/}"
    done
else
    for prog in "$pgdir"/bin.real/*; do
        cat > "$pgdir/bin/${prog##*/}" <<RUN
#!/bin/sh
exec '$dest/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' --library-path '$libs' --argv0 "\$0" '$prog' "\$@"
RUN
        chmod 755 "$pgdir/bin/${prog##*/}"
    done
fi
chmod -R a+rX "$dest/root"
"$pgdir/bin/$probe" --version | grep -q " $major\." \
    || { echo "pg-debian.sh: $probe $major from $suite does not run" >&2; exit 1; }
echo "$pgdir/bin"
