#!/bin/sh
# yasmind's exit codes and messages, which scripts and the service manager rely on:
# 0 success, 1 failure, 2 bad command line.
# Usage: yasmind_cli_test.sh PATH_TO_YASMIND EXPECTED_VERSION
set -u
yasmind=$1
expected_version=$2
out=$(mktemp) err=$(mktemp) conf=$(mktemp) pid=$(mktemp -u)
trap 'rm -f "$out" "$err" "$conf" "$pid"' EXIT
failures=0

program=$yasmind
. "$(dirname "$0")/cli_expect.sh"

expect 0 --help
grep -q '^Usage: yasmind' "$out" || fail "--help prints no usage line"
[ -s "$err" ] && fail "--help wrote to stderr"

expect 0 --version
[ "$(cat "$out")" = "yasmind $expected_version" ] || fail "--version printed the wrong version"

expect 2 --bogus
grep -q -- '--bogus' "$err" || fail "the unknown flag is not named"
grep -q -- '--help' "$err" || fail "no hint to --help"
[ -s "$out" ] && fail "an error went to stdout"

expect 2 --log-level loud
grep -q "'loud'" "$err" || fail "the bad log level is not named"

# The daemon, where there is no Xen (the unit tests' machines): it must fail with a message,
# in the foreground on its stderr, detached through the parent, which waits for the verdict.
if ! grep -qs control_d /proc/xen/capabilities; then
    expect 1 --foreground --pidfile "$pid"
    grep -q 'cannot open libxl' "$err" || fail "--foreground: libxl's absence is not reported"
    expect 1 --pidfile "$pid"
    grep -q 'cannot open libxl' "$err" || fail "detached: the child's failure is not reported"
    [ -e "$pid" ] && fail "a daemon that failed to start left its pid file"
fi
# A pid file another process holds locked: a second yasmind refuses to start.
echo 4242 >"$pid"
flock "$pid" "$yasmind" --foreground --pidfile "$pid" >"$out" 2>"$err"
[ $? -eq 1 ] || fail "a second yasmind did not exit 1"
grep -q 'another yasmind is running (pid 4242)' "$err" || fail "the running yasmind is not named"

# The configuration is read before Xen is touched, so its errors show anywhere.  A file that
# --config names must exist; a bad line is reported as FILE:LINE.
expect 1 --once --config /nonexistent/yasmind.conf
grep -q '/nonexistent/yasmind.conf: No such file' "$err" || fail "a missing --config is not named"
printf 'group web name:web-*\nallow web nobody\n' >"$conf"
expect 1 --dry-run --config "$conf"
grep -q "$conf:2: " "$err" || fail "a bad configuration line is not reported as FILE:LINE"
[ -s "$out" ] && fail "a configuration error went to stdout"

# --once and --dry-run need libxl and XenStore, which only work as root in dom0.
if grep -qs control_d /proc/xen/capabilities && [ "$(id -u)" -eq 0 ]; then
    expect 0 --once
    head -n 1 "$out" | grep -q '^domid  *name  *cid$' || fail "--once printed no header"
    grep -q '^0  *Domain-0  *2$' "$out" || fail "--once did not list dom0 as CID 2"
else
    expect 1 --once
    grep -q 'cannot open libxl' "$err" || fail "--once outside dom0 gave no clear error"
    expect 1 --dry-run
    grep -q 'cannot open libxl' "$err" || fail "--dry-run outside dom0 gave no clear error"
fi

[ "$failures" -eq 0 ] || exit 1
echo "all yasmind command-line checks passed"
