#!/bin/sh
# yasminctl's exit codes and messages, which scripts and monitoring rely on: 0 success,
# 1 XenStore cannot be read, 2 bad command line; errors on stderr only.
# Usage: yasminctl_cli_test.sh PATH_TO_YASMINCTL EXPECTED_VERSION
set -u
yasminctl=$1
expected_version=$2
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failures=0

program=$yasminctl
. "$(dirname "$0")/cli_expect.sh"

# expect_usage_error ARGS... -- PATTERN: exit 2, PATTERN and the hint on stderr, no stdout.
expect_usage_error() {
    pattern=$1; shift
    expect 2 "$@"
    grep -q -- "$pattern" "$err" || fail "yasminctl $*: stderr does not say '$pattern'"
    grep -q -- "Try 'yasminctl --help'" "$err" || fail "yasminctl $*: no hint to --help"
    [ -s "$out" ] && fail "yasminctl $*: an error went to stdout"
}

expect 0 --help
grep -q '^Usage: yasminctl status' "$out" || fail "--help prints no usage line"
[ -s "$err" ] && fail "--help wrote to stderr"
expect 0 status --help
grep -q -- '--json' "$out" || fail "status --help does not describe --json"

expect 0 --version
[ "$(cat "$out")" = "yasminctl $expected_version" ] || fail "--version printed the wrong version"

expect_usage_error 'no command given'
expect_usage_error "unknown command 'bogus'" bogus
expect_usage_error "'--bogus'" --bogus
expect_usage_error "'--bogus'" status --bogus
expect_usage_error "'--json'" --json status
expect_usage_error "unexpected argument 'guest-a'" status guest-a
expect_usage_error "'--js'" status --js

# status reads XenStore, which only works as root in dom0.
if grep -qs control_d /proc/xen/capabilities && [ "$(id -u)" -eq 0 ]; then
    expect 0 status
    head -n 1 "$out" | grep -q '^DOMID  *NAME  *CID  *GENERATION  *PEERS$' ||
        fail "status printed no header"
    grep -q '^0  *Domain-0  *2 ' "$out" || fail "status did not list dom0 as CID 2"
    expect 0 status --json
    grep -q '"domains"' "$out" || fail "status --json printed no domains"
else
    for json in '' --json; do
        # shellcheck disable=SC2086 # $json is no word or one
        expect 1 status $json
        grep -q 'cannot open XenStore' "$err" || fail "status $json outside dom0 gave no clear error"
        [ -s "$out" ] && fail "status $json outside dom0 wrote to stdout"
    done
fi

[ "$failures" -eq 0 ] || exit 1
echo "all yasminctl command-line checks passed"
