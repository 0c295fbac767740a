#!/bin/sh
# yasmin-run must add the installed libyasmin.so to LD_PRELOAD, after any library already
# there, and run the command with its arguments intact.
# Usage: yasmin_run_test.sh PATH_TO_YASMIN_RUN EXPECTED_LIBRARY_PATH
set -u
yasmin_run=$1
library=$2
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# The library is not installed yet, so the dynamic loader complains on stderr: ignore that.
print_preload='printf "%s" "$LD_PRELOAD"'

got=$(env -u LD_PRELOAD "$yasmin_run" sh -c "$print_preload" 2>/dev/null)
[ "$got" = "$library" ] || fail "LD_PRELOAD was '$got', expected '$library'"

got=$(LD_PRELOAD=/opt/other.so "$yasmin_run" sh -c "$print_preload" 2>/dev/null)
[ "$got" = "/opt/other.so:$library" ] || fail "existing LD_PRELOAD: got '$got'"

got=$("$yasmin_run" sh -c 'printf "%s|" "$@"' sh "a b" "" c 2>/dev/null)
[ "$got" = "a b||c|" ] || fail "arguments were not passed intact: '$got'"

"$yasmin_run" sh -c 'exit 7' 2>/dev/null
code=$?
[ "$code" -eq 7 ] || fail "exit code $code, expected the command's 7"

"$yasmin_run" >/dev/null 2>&1
code=$?
[ "$code" -eq 2 ] || fail "no command: exit code $code, expected 2"

[ "$failures" -eq 0 ] || exit 1
echo "all yasmin-run checks passed"
