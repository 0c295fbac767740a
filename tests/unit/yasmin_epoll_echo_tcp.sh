#!/bin/sh
# yasmin-epoll-echo (tests/lab/tools/epoll_et_echo.c) checked over TCP on loopback, without
# the preload: the lab runs it under yasmin-run, where a failure must mean the preload or the
# transport, not the tool.  Many connections at once, an empty stream, and failures reported.
# Usage: yasmin_epoll_echo_tcp.sh PATH_TO_YASMIN_EPOLL_ECHO
set -u
tool=$1
dir=$(mktemp -d)
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
failures=0
export YASMIN_EPOLL_ECHO_TIMEOUT=60

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# The server on a port the kernel picks, for the 3 client runs below (10 connections).
"$tool" serve 0 --exit-after 10 >"$dir/server.log" 2>&1 &
server=$!
port=
i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
    port=$(sed -n 's/^info: listening on 0\.0\.0\.0:\([0-9]*\) .*/\1/p' "$dir/server.log")
    [ -n "$port" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$port" ] || { cat "$dir/server.log"; echo "FAIL: the server did not start"; exit 1; }

run() {   # ARGS...: a client run that must pass
    echo "--- yasmin-epoll-echo client $*"
    "$tool" client "$@" || fail "yasmin-epoll-echo client $* exited $?"
}
run 127.0.0.1 "$port" 8388608 8
run 127.0.0.1 "$port" 0
run 127.0.0.1 "$port" 1
wait "$server" || fail "the server exited $?"
server=
cat "$dir/server.log"
grep -q '^ok: served 10 connections (10 accepted), echoed 67108865 bytes, 0 failed$' \
    "$dir/server.log" || fail "the server's summary is not the expected one"

# Failures are reported as such: nobody listening any more, and a bad command line.
out=$("$tool" client 127.0.0.1 "$port" 1000)
[ $? -eq 1 ] || fail "a client without a server did not exit 1"
echo "$out" | grep -q '^FAIL: connection 0: connect: ' || fail "no FAIL line without a server: $out"
"$tool" client 127.0.0.1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad command line did not exit 2"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
