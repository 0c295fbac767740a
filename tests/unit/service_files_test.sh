#!/bin/sh
# The init script and the systemd unit of dom0-backend/service/ as files: the init script's
# LSB header (insserv and systemd's sysv generator order boot by it), its syntax, shellcheck
# and systemd-analyze verify where they are installed; neither is a required package, so
# without them those checks are skipped, not failed.  What the two do on a real dom0 is the
# lab's business.
# Usage: service_files_test.sh SERVICE_DIR
set -u
dir=$1
init=$dir/yasmind.init
unit=$dir/yasmind.service
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# header_has FIELD VALUE: the LSB header's FIELD line is exactly VALUE.
header_has() {
    got=$(sed -n '/^### BEGIN INIT INFO$/,/^### END INIT INFO$/s/^# '"$1"': *//p' "$init")
    [ "$got" = "$2" ] || fail "LSB header: $1 is '$got', expected '$2'"
}

header_has Provides yasmind
# shellcheck disable=SC2016 # $syslog and $remote_fs are LSB facilities, not variables
header_has Required-Start '$syslog $remote_fs xen'
# shellcheck disable=SC2016
header_has Required-Stop '$syslog $remote_fs xen'
header_has X-Start-Before xendomains
header_has Default-Start '2 3 4 5'
header_has Default-Stop '0 1 6'
[ -x "$init" ] || fail "$init is not executable"
sh -n "$init" || fail "$init: syntax error"

if command -v shellcheck >/dev/null 2>&1; then
    shellcheck "$init" || fail "shellcheck $init"
else
    echo "skipped: shellcheck is not installed"
fi

# verify needs ExecStart's binary to exist: any will do for the unit's own checks.
if command -v systemd-analyze >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    sed 's|^ExecStart=/usr/sbin/yasmind|ExecStart=/bin/true|' "$unit" >"$tmp/yasmind.service"
    if ! systemd-analyze verify "$tmp/yasmind.service" >"$tmp/out" 2>&1 || [ -s "$tmp/out" ]; then
        cat "$tmp/out" >&2
        fail "systemd-analyze verify $unit"
    fi
else
    echo "skipped: systemd-analyze is not installed"
fi

[ "$failures" -eq 0 ] || exit 1
echo "all service file checks passed"
