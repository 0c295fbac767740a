# Shared by the host-side lab scripts: paths, logging and the input-keyed artifact cache.
# shellcheck shell=bash

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOP_DIR=$(cd "$LAB_DIR/../.." && pwd)
# shellcheck source=../../../config/versions.env
. "$TOP_DIR/config/versions.env"

# Artifacts outlive the build tree (a fresh clone reuses them on the same machine); each lives
# in a directory named by a hash of everything it was built from.
LAB_CACHE=${YASMIN_LAB_CACHE:-/var/cache/yasmin-lab}

lab_log() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
lab_die() { lab_log "error: $*"; exit 1; }

# lab_key WORD... : a short hash of the given strings and of the contents of any that name files.
lab_key() {
    local arg
    for arg in "$@"; do
        if [ -f "$arg" ]; then
            printf 'file %s\n' "${arg#"$TOP_DIR"/}"; cat "$arg"
        else
            printf 'word %s\n' "$arg"
        fi
    done | sha256sum | cut -c1-16
}

# lab_run_strict LOG COMMAND... : runs COMMAND (a shell function too) with errexit and pipefail,
# output to LOG, and leaves its status in LAB_RC.  Call it as a plain command, never in an
# `if`, `&&` or `||`: bash ignores errexit in everything such a context runs, subshells and
# functions included, so COMMAND would go on past its first failure.
lab_run_strict() {
    local log=$1; shift
    LAB_RC=0
    ( set -euo pipefail; "$@" ) >"$log" 2>&1 &
    wait $! || LAB_RC=$?
}

# lab_cached NAME KEY BUILD_FUNCTION : prints the artifact directory, building it first if no
# complete one exists for KEY.  BUILD_FUNCTION gets an empty directory to fill; the result is
# published by rename only when it succeeds, and older versions of NAME are then removed.
lab_cached() {
    local name=$1 key=$2 build=$3
    local dir="$LAB_CACHE/$name-$key"
    if [ -e "$dir/.complete" ]; then
        echo "$dir"; return 0
    fi
    mkdir -p "$LAB_CACHE"
    local tmp; tmp=$(mktemp -d "$LAB_CACHE/.building-$name-XXXXXX")
    lab_log "building $name ($key)"
    local started=$SECONDS
    lab_run_strict "$tmp.log" "$build" "$tmp"
    if [ "$LAB_RC" -ne 0 ]; then
        tail -n 40 "$tmp.log" >&2
        rm -rf "$tmp"
        lab_die "building $name failed (full log: $tmp.log)"
    fi
    touch "$tmp/.complete"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    mv "$tmp.log" "$dir/build.log"
    local old
    for old in "$LAB_CACHE/$name"-*; do
        [ "$old" = "$dir" ] || rm -rf "$old"
    done
    lab_log "built $name in $((SECONDS - started)) s"
    echo "$dir"
}

# lab_deb PACKAGE VERSION : path of the downloaded .deb of exactly that version.
lab_deb() {
    local pkg=$1 version=$2 debs="$LAB_CACHE/debs"
    local file="$debs/${pkg}_${version//:/%3a}_amd64.deb"
    if [ ! -s "$file" ]; then
        mkdir -p "$debs"
        (cd "$debs" && apt-get download -q "$pkg=$version" >/dev/null 2>&1) ||
            { apt-get update -qq && (cd "$debs" && apt-get download -q "$pkg=$version" >/dev/null); } ||
            lab_die "cannot download $pkg=$version (is config/versions.env still served?)"
    fi
    echo "$file"
}
