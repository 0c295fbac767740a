#!/bin/sh
# yasmin-vsock-test (tests/lab/tools/vsock_test.c) checked over TCP on loopback: the lab runs
# the same program over vsock, where a failure must mean the transport, not the tool.
# Runs the server and every client subcommand, and checks that failures are reported.
# (SOCK_SEQPACKET is vsock only: the lab's 60-vsock-loopback proves those tests.)
# Usage: yasmin_vsock_test_tcp.sh PATH_TO_YASMIN_VSOCK_TEST
set -u
tool=$1
dir=$(mktemp -d)
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# serve NAME: a detached server on a free loopback port (the kernel picks it); sets $port.
serve() {
    "$tool" serve --family tcp --bind 127.0.0.1 --daemon --port-file "$dir/$1.port" \
        --pidfile "$dir/$1.pid" --log "$dir/$1.log" 0 >/dev/null || { echo "FAIL: serve"; exit 1; }
    port=$(cat "$dir/$1.port")
}

# A port nobody listens on: one the kernel just handed out, to a server stopped at once.
serve refused
refused=$port
kill "$(cat "$dir/refused.pid")"
serve main
server=$(cat "$dir/main.pid")

# run ARGS...: one client subcommand against the server, which must pass.
run() {
    echo "--- yasmin-vsock-test $*"
    "$tool" "$@" --family tcp --timeout 60 || fail "yasmin-vsock-test $* exited $?"
}
run semantics 127.0.0.1 "$port" --refused-port "$refused"
run stream 127.0.0.1 "$port" 67108864
run many 127.0.0.1 "$port" 200 65536
run bench-tput 127.0.0.1 "$port" 1
run bench-rr 127.0.0.1 "$port" 1000
run wait-reset 127.0.0.1 "$port" --abort-after 200
run cycles 127.0.0.1 "$port" --count 500 --bytes 4096
run exhaust 127.0.0.1 "$port" --max 300 --allow-cap --hold-seconds 0

# A failure is reported as such: no server there, and a reset that never comes.
out=$("$tool" stream --family tcp --timeout 10 127.0.0.1 "$refused" 1000)
[ $? -eq 1 ] || fail "stream without a server did not exit 1"
echo "$out" | grep -q '^FAIL: stream: connecting' || fail "no FAIL line without a server: $out"
out=$("$tool" wait-reset --family tcp --timeout 2 127.0.0.1 "$port")
[ $? -eq 1 ] || fail "wait-reset with no reset did not exit 1"
echo "$out" | grep -q '^FAIL: timeout' || fail "no timeout FAIL line: $out"
out=$("$tool" cycles --family tcp --timeout 10 --count 5 127.0.0.1 "$refused")
[ $? -eq 1 ] || fail "cycles without a server did not exit 1"
echo "$out" | grep -q '^FAIL: cycles: .*cycle 1 of 5 failed at connect: ECONNREFUSED' ||
    fail "no FAIL line for cycles without a server: $out"
echo "$out" | grep -q '^cycles family=tcp count=5 done=0 ' || fail "no cycles result line: $out"
# The cap reached without --allow-cap, and no server at all: neither is a resource error.
out=$("$tool" exhaust --family tcp --timeout 10 --max 20 --hold-seconds 0 127.0.0.1 "$port")
[ $? -eq 1 ] || fail "exhaust reaching its cap without --allow-cap did not exit 1"
echo "$out" | grep -q '^exhaust opened=20 max=20 failure=none' || fail "no exhaust result line: $out"
out=$("$tool" exhaust --family tcp --timeout 10 --max 20 --hold-seconds 0 127.0.0.1 "$refused")
[ $? -eq 1 ] || fail "exhaust failing with ECONNREFUSED did not exit 1"
echo "$out" | grep -q '^FAIL: exhaust: .*failed at connect with ECONNREFUSED' ||
    fail "no FAIL line for exhaust without a server: $out"
"$tool" stream --family tcp 127.0.0.1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad command line did not exit 2"
"$tool" semantics --family tcp --type seqpacket 127.0.0.1 "$port" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--type seqpacket over TCP did not exit 2"

if grep -v '^serve: listening' "$dir/main.log"; then
    fail "the server logged problems (above)"
fi
[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
