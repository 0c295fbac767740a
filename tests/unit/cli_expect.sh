# Shared by the command-line tests (yasmind_cli_test.sh, yasminctl_cli_test.sh), sourced after
# they set: program (the binary under test), out and err (temporary files), failures=0.
# shellcheck shell=sh disable=SC2154  # out, err, program: set by the sourcing test

# fail WHAT: records a failure, with what the last run printed.
fail() {
    echo "FAIL: $*" >&2
    echo "  stdout: $(cat "$out")" >&2
    echo "  stderr: $(cat "$err")" >&2
    failures=$((failures + 1))
}

# expect CODE ARGS...: runs the program with ARGS and checks its exit code.
expect() {
    want=$1; shift
    "$program" "$@" >"$out" 2>"$err"
    got=$?
    [ "$got" -eq "$want" ] || fail "$(basename "$program") $* exited $got, expected $want"
}
