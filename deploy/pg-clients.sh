#!/bin/sh
# Installs the PostgreSQL client tools (pg_dump, pg_dumpall, pg_restore, psql) of more majors into
# the image, beside the base's, so that every server is dumped by its own major's pg_dump (see
# README, "PostgreSQL versions"). Run by the Dockerfile as root:
#
#   pg-clients.sh BASE_MAJOR MAJOR...
#
# Each postgresql-client-MAJOR comes from the base's apt sources when they have it: the official
# postgres images carry the PGDG repository (apt.postgresql.org), which packages every supported
# major. Otherwise from the Debian release that packages that major (13 bullseye, 15 bookworm and
# its security updates, 17 trixie and its security updates, 18 sid), added for this install only
# with a low pin priority, so nothing else of the base is upgraded. A major neither has (Debian
# never packaged 14 or 16) fails the build, naming it: an image never lacks a major silently.
set -eu
base=${1:?usage: pg-clients.sh BASE_MAJOR MAJOR...}
shift
wanted=
for m in "$@"; do
    [ "$m" = "$base" ] || wanted="$wanted $m"
done
[ -n "$wanted" ] || exit 0
export DEBIAN_FRONTEND=noninteractive
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
apt-get update -qq
pkgs=
added=
for m in $wanted; do
    if apt-cache show "postgresql-client-$m" >/dev/null 2>&1; then
        pkgs="$pkgs postgresql-client-$m"
        continue
    fi
    case "$m" in
        13) suite=bullseye ;;
        15) suite=bookworm ;;
        17) suite=trixie ;;
        18) suite=sid ;;
        *) echo "pg-clients.sh: no postgresql-client-$m in the base's apt sources (the official postgres images have" \
                "PGDG, which packages every major) nor in Debian: build on such a base, or without $m in PG_MAJORS" >&2
           exit 1 ;;
    esac
    src=/etc/apt/sources.list.d/pgbackup-$suite.sources
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" "$suite" > "$src"
    pins="$suite"
    case "$suite" in
        bookworm|trixie)
            printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$security" "$suite" >> "$src"
            pins="$pins $suite-security" ;;
    esac
    for p in $pins; do
        printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n\n' "$p" >> /etc/apt/preferences.d/pgbackup-clients
    done
    added="$added $src"
    pkgs="$pkgs postgresql-client-$m"
done
if [ -n "$added" ]; then
    # sid's Release file on some mirrors is past its validity date
    apt-get update -qq -o Acquire::Check-Valid-Until=false
fi
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
# The suites added here are not left for later apt runs in the image.
# shellcheck disable=SC2086
rm -f $added /etc/apt/preferences.d/pgbackup-clients
rm -rf /var/lib/apt/lists/*
for m in $wanted; do
    "/usr/lib/postgresql/$m/bin/pg_dump" --version
done
