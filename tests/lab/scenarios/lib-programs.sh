# Unmodified programs between the guests, a server in guest-b and its client in guest-a, under
# yasmin-run or not (44-preload-programs, 45-demo-iperf3).  Sourced by scenarios after lib.sh
# (bash, in dom0).  The programs are in the guests' initramfs (host/artifacts.sh,
# add_unmodified_programs); each one's preload decisions (YASMIN_DEBUG_FILE) and output go to
# /tmp/NAME.debug and /tmp/NAME.log in its guest.
# shellcheck shell=bash

# prog_setup : yasmin loaded in both guests, the pair published, guest-b in guest-a's view;
# sets PROG_B (guest-b's domid), PROG_A_IP and PROG_B_IP.
# shellcheck disable=SC2034 # for the scenarios
prog_setup() {
    local view
    xl domid guest-b >/dev/null 2>&1 || lab_start_guests guest-b
    lab_yasmin_pair guest-a guest-b >/dev/null
    lab_yasmin_load guest-a guest-b
    PROG_B=$(lab_domid guest-b) PROG_A_IP=$(lab_guest_ip guest-a) PROG_B_IP=$(lab_guest_ip guest-b)
    view=$(lab_guest_exec guest-a "cat /proc/net/yasmin_view")
    echo "$view"
    lab_assert_contains "$view" "$PROG_B_IP $((PROG_B + 2))" "guest-a's view lists guest-b's address"
}

# prog_counters : "SENT RECEIVED EVENTS SUPPRESSED FULL_WAITS", columns 8 to 12 of guest-a's
# line for guest-b in /proc/net/yasmin_peers (bytes_sent, bytes_received, events_sent,
# events_suppressed, full_waits): totals over its closed and open connections ("0 0 0 0 0"
# before the first one).
prog_counters() {
    local line
    line=$(lab_guest_exec guest-a "awk -v d=$PROG_B 'NR > 1 && \$1 == d {
        print \$8, \$9, \$10, \$11, \$12 }' /proc/net/yasmin_peers")
    echo "${line:-0 0 0 0 0}"
}

# prog_expect_yasmin WHAT BEFORE MIN_SENT MIN_RECEIVED : the byte counters grew by at least
# that much since BEFORE (a prog_counters answer).  Shows how many notifications that took
# (events sent and suppressed) and how often a sender found the ring full.
prog_expect_yasmin() {
    local s0 r0 e0 x0 f0 s1 r1 e1 x1 f1 ds dr
    read -r s0 r0 e0 x0 f0 <<<"$2"
    read -r s1 r1 e1 x1 f1 <<<"$(prog_counters)"
    ds=$((s1 - s0)) dr=$((r1 - r0))
    if [ $ds -lt "$3" ] || [ $dr -lt "$4" ]; then
        lab_fail "$1 did not go over yasmin: guest-a's counters for guest-b: sent +$ds," \
            "received +$dr bytes (expected at least +$3 and +$4)"
    fi
    echo "ok: $1 went over yasmin (guest-a -> guest-b: sent +$ds, received +$dr bytes;" \
        "guest-a's events sent +$((e1 - e0)), suppressed +$((x1 - x0)), full waits +$((f1 - f0)))"
}

# prog_expect_tcp WHAT BEFORE : the counters did not move at all since BEFORE.
prog_expect_tcp() {
    local now
    now=$(prog_counters)
    [ "$now" = "$2" ] || lab_fail "$1 went over yasmin (guest-a's counters for guest-b: $2 -> $now)"
    echo "ok: $1 stayed on TCP (guest-a's yasmin counters for guest-b unchanged: $now)"
}

# prog_preload NAME : the prefix that runs a command under yasmin-run, decisions logged.
prog_preload() {
    echo "YASMIN_DEBUG=1 YASMIN_DEBUG_FILE=/tmp/$1.debug yasmin-run"
}

# prog_server_start NAME PORT yes|no COMMAND : COMMAND (a shell command line) in guest-b, in
# the background, under yasmin-run or not; waits (60 s at most: Python compiles its modules on
# first use, emulated) until guest-b listens on TCP PORT.
prog_server_start() {
    local name=$1 port=$2 run=''
    [ "$3" = no ] || run=$(prog_preload "$name")
    lab_guest_exec guest-b "cd /tmp; rm -f /tmp/$name.debug
        $run $4 >/tmp/$name.log 2>&1 </dev/null & echo \$! >/tmp/$name.pid" ||
        lab_fail "$name: could not start"
    if ! lab_guest_exec guest-b "i=0; until ss -Hltn 'sport = :$port' | grep -q .; do
            [ \$i -lt 600 ] && kill -0 \$(cat /tmp/$name.pid) 2>/dev/null || exit 1
            sleep 0.1; i=\$((i + 1)); done"; then
        lab_guest_exec guest-b "cat /tmp/$name.log" || true
        lab_fail "$name does not listen on port $port"
    fi
    echo "--- guest-b: $name listening on port $port ($([ "$3" = no ] && echo "no preload" ||
        echo "under yasmin-run"))"
}

# prog_server_stop NAME : stops it (if it has not exited yet), waits until it is gone, and shows
# the end of its output and its first listen/accept decisions.
prog_server_stop() {
    lab_guest_exec guest-b "pid=\$(cat /tmp/$1.pid 2>/dev/null) || exit 0; kill \$pid 2>/dev/null
        i=0; while kill -0 \$pid 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
        kill -9 \$pid 2>/dev/null; rm -f /tmp/$1.pid
        tail -n 5 /tmp/$1.log | sed 's/^/  $1: /'
        [ ! -f /tmp/$1.debug ] || { grep -E ': (listen|accept) ' /tmp/$1.debug | head -n 3 |
            sed 's/^/  $1 decided: /'; }" || true
}

# prog_client NAME yes|no COMMAND : COMMAND (a shell command line) in guest-a, under yasmin-run
# or not; prints its output.  If it fails, shows that output on stderr (callers capture
# stdout) and fails.
prog_client() {
    local name=$1 run='' out rc=0
    [ "$2" = no ] || run=$(prog_preload "$name")
    out=$(lab_guest_exec guest-a "cd /tmp; rm -f /tmp/$name.debug; $run $3") || rc=$?
    [ $rc -eq 0 ] || { echo "$out" >&2; lab_fail "$name: exit status $rc"; }
    echo "$out"
}

# prog_decisions GUEST NAME : the first connect decisions the preload logged for NAME there.
prog_decisions() {
    lab_guest_exec "$1" "[ ! -f /tmp/$2.debug ] || grep ': connect ' /tmp/$2.debug | head -n 3"
}

# prog_iperf3_rate OUTPUT : the receiver's rate in an iperf3 client's output ("N Mbits/sec").
prog_iperf3_rate() {
    awk '/receiver$/ { print $7, $8 }' <<<"$1" | tail -n 1
}
