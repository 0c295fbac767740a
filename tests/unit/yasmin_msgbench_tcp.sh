#!/bin/sh
# yasmin-msgbench (tests/lab/tools/msg_bench.c) checked over TCP on loopback and over AF_UNIX,
# without the preload: the lab compares its numbers over netfront, under yasmin-run and over
# AF_UNIX, where a failure must mean the transport, not the tool.  Every client mode on both
# families must print its result line with positive numbers; bad command lines exit 2, and a
# client with nobody listening fails rather than hangs.
# Usage: yasmin_msgbench_tcp.sh PATH_TO_YASMIN_MSGBENCH
set -u
tool=$1
dir=$(mktemp -d)
tcp_server=
unix_server=
trap '[ -z "$tcp_server" ] || kill "$tcp_server" 2>/dev/null
      [ -z "$unix_server" ] || kill "$unix_server" 2>/dev/null
      rm -rf "$dir"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# wait_listening LOG: the server's "info: listening on ..." line (empty if it never came).
wait_listening() {
    i=0
    while [ $i -lt 100 ]; do
        line=$(grep '^info: listening on ' "$1")
        [ -z "$line" ] || { echo "$line"; return; }
        sleep 0.1
        i=$((i + 1))
    done
}

# Servers on a port the kernel picks (so that tests run in parallel never collide) and on a
# path of our own.
"$tool" serve tcp 0 --bind 127.0.0.1 >"$dir/tcp.log" 2>&1 &
tcp_server=$!
port=$(wait_listening "$dir/tcp.log" | sed -n 's/^info: listening on tcp 127\.0\.0\.1:\([0-9]*\)$/\1/p')
[ -n "$port" ] || { cat "$dir/tcp.log"; echo "FAIL: the tcp server did not start"; exit 1; }
sock=$dir/msgbench.sock
"$tool" serve unix "$sock" >"$dir/unix.log" 2>&1 &
unix_server=$!
[ -n "$(wait_listening "$dir/unix.log")" ] ||
    { cat "$dir/unix.log"; echo "FAIL: the unix server did not start"; exit 1; }

# run KEY ARGS...: a client run that must exit 0 and print its line, whose KEY=VALUE fields
# that are measurements must be positive numbers.
run() {
    key=$1
    shift
    echo "--- yasmin-msgbench $*"
    out=$("$tool" "$@" --timeout 30)
    status=$?
    echo "$out"
    [ $status -eq 0 ] || { fail "yasmin-msgbench $* exited $status"; return; }
    mode=$1
    case "$out" in
    "$mode family=$2 "*) ;;
    *) fail "yasmin-msgbench $*: no '$mode family=$2' line"; return ;;
    esac
    for field in $key seconds; do
        value=$(echo "$out" | sed -n "s/.* $field=\([0-9.]*\)\( .*\)*\$/\1/p")
        echo "$value" | awk '{ exit !($1 + 0 > 0) }' ||
            fail "yasmin-msgbench $*: $field is not a positive number: '$value'"
    done
}

for endpoint in "tcp 127.0.0.1 $port" "unix $sock"; do
    # shellcheck disable=SC2086  # the endpoint is two or three words on purpose
    set -- $endpoint
    for size in 1 65536; do
        run mbit_s stream "$@" --size $size --seconds 1
        run usec_per_round_trip pingpong "$@" --size $size --iterations 200
    done
    run bytes stream "$@" --size 1000 --seconds 0.2
    run round_trips pingpong "$@" --size 100 --seconds 0.2
    run per_s connect "$@" --seconds 1
done

# The servers are still there after all of it.
kill -0 "$tcp_server" 2>/dev/null || fail "the tcp server died"
kill -0 "$unix_server" 2>/dev/null || fail "the unix server died"

# Bad command lines: exit 2.
bad() {   # ARGS...
    "$tool" "$@" >/dev/null 2>&1
    status=$?
    [ $status -eq 2 ] || fail "yasmin-msgbench $* exited $status, not 2"
}
bad stream tcp 127.0.0.1 "$port" --size 0 --seconds 1
bad stream tcp 127.0.0.1 "$port" --size 16777217 --seconds 1
bad stream tcp 127.0.0.1 "$port" --size ten --seconds 1
bad stream tcp 127.0.0.1 "$port" --size 1 --seconds x
bad stream tcp 127.0.0.1 "$port" --size 1
bad pingpong tcp 127.0.0.1 "$port" --size 1
bad pingpong tcp 127.0.0.1 "$port" --size 1 --iterations 10 --seconds 1
bad connect tcp 127.0.0.1 "$port" --seconds 1 --timeout 0
bad connect tcp 127.0.0.1 --seconds 1
bad connect tcp 127.0.0.1 99999 --seconds 1
bad flood tcp 127.0.0.1 "$port" --seconds 1
bad stream sctp 127.0.0.1 "$port" --size 1 --seconds 1
bad serve unix
bad
"$tool" --help >/dev/null || fail "--help did not exit 0"

# Nobody listening: a port the kernel just handed out, to a server stopped at once, and a
# path without a socket.  Each client must fail (1), and at once, not after its time limit.
"$tool" serve tcp 0 --bind 127.0.0.1 >"$dir/refused.log" 2>&1 &
refused_server=$!
refused=$(wait_listening "$dir/refused.log" | sed -n 's/.*:\([0-9]*\)$/\1/p')
kill "$refused_server"
wait "$refused_server" 2>/dev/null
[ -n "$refused" ] || fail "the short-lived server did not start"
nobody() {   # ARGS...
    start=$(date +%s)
    "$tool" "$@" --timeout 20 >"$dir/nobody.out" 2>&1
    status=$?
    cat "$dir/nobody.out"
    [ $status -eq 1 ] || fail "yasmin-msgbench $* with nobody listening exited $status, not 1"
    [ $(($(date +%s) - start)) -lt 10 ] || fail "yasmin-msgbench $* took its time to fail"
    grep -q '^yasmin-msgbench: connect to ' "$dir/nobody.out" ||
        fail "yasmin-msgbench $*: no message saying the connect failed"
}
nobody stream tcp 127.0.0.1 "$refused" --size 1 --seconds 1
nobody pingpong tcp 127.0.0.1 "$refused" --size 1 --iterations 1
nobody connect unix "$dir/nobody.sock" --seconds 1

kill "$tcp_server" "$unix_server"
tcp_server=
unix_server=
echo "--- server output"
cat "$dir/tcp.log" "$dir/unix.log"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
