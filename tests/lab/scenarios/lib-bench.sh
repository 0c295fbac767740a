# The lab benchmark's library (90-bench-figures; bench/lab.sh): servers and clients in any
# guest, with or without yasmin-run, the module's ring size, and the CSV the report is made
# from (bench/lab_report.py reads it; its header and columns are documented there and in
# docs/performance.md).  Sourced after lib.sh (bash, in dom0).
# shellcheck shell=bash

BENCH_OUT=$LAB_SHARE/out/bench
BENCH_CSV=$BENCH_OUT/lab.csv
BENCH_CSV_HEADER=figure,tool,series,ring_bytes,msg_bytes,pairs,repeat,metric,value
BENCH_REPEAT=0
BENCH_NEXT_PORT=6100

# bench_configure : the run's settings.  bench/lab.sh passes a full run's in lab/bench.env;
# without one (the test command's lab run) this is the smoke mode: every measurement and
# every code path once, with small sizes and short runs, so that the benchmark cannot rot.
# shellcheck disable=SC2034 # for the scenario
bench_configure() {
    BENCH_MODE=smoke
    BENCH_REPEATS=1
    BENCH_RINGS="65536 524288"            # the yasmin lines of Figs. 4 and 5
    BENCH_RING_SWEEP="65536 524288"       # Fig. 6's x axis
    BENCH_NP_MAX=16384 BENCH_NP_REPEATS=3 # NPtcp: largest message, -n
    BENCH_MSG_SIZES="1 65536"             # yasmin-msgbench's sizes (it also measures AF_UNIX)
    BENCH_SECONDS=1                       # each throughput / rate run
    BENCH_PAIRS="1 2"
    if [ -f "$LAB_SHARE/lab/bench.env" ]; then
        # shellcheck source=/dev/null
        . "$LAB_SHARE/lab/bench.env"
    fi
    case "$BENCH_MODE" in smoke|full) ;; *) lab_fail "bench.env: BENCH_MODE '$BENCH_MODE'" ;; esac
    [[ "$BENCH_REPEATS" =~ ^[1-9][0-9]*$ ]] || lab_fail "bench.env: BENCH_REPEATS '$BENCH_REPEATS'"
    mkdir -p "$BENCH_OUT"
    echo "$BENCH_CSV_HEADER" >"$BENCH_CSV"
    echo "bench: mode $BENCH_MODE, $BENCH_REPEATS repeat(s), rings $BENCH_RINGS," \
        "ring sweep $BENCH_RING_SWEEP, NPtcp up to $BENCH_NP_MAX B (-n $BENCH_NP_REPEATS)," \
        "msgbench sizes $BENCH_MSG_SIZES, ${BENCH_SECONDS} s runs, pairs $BENCH_PAIRS"
}

# bench_row FIGURE TOOL SERIES RING MSG PAIRS METRIC VALUE : one measurement into the CSV
# (repeat BENCH_REPEAT).  A value that is not a positive number fails the scenario: a tool
# whose output changed must not turn into a silent hole in a figure.
bench_row() {
    awk -v v="$8" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ && v + 0 > 0) }' ||
        lab_fail "bench: $1 $2 $3 ring $4 msg $5: not a measurement: '$8'"
    echo "$1,$2,$3,$4,$5,$6,$BENCH_REPEAT,$7,$8" >>"$BENCH_CSV"
}

bench_port() { BENCH_NEXT_PORT=$((BENCH_NEXT_PORT + 1)); echo $BENCH_NEXT_PORT; }

# bench_series_order : the series of one repeat, "yasmin:RING ... netfront:0 af_unix:0", in
# reverse on even repeats, so that a drift of the emulated machine within a boot does not
# always favour the same line.
bench_series_order() {
    local list=() ring
    for ring in $BENCH_RINGS; do list+=("yasmin:$ring"); done
    list+=("netfront:0" "$@")
    if [ $((BENCH_REPEAT % 2)) -eq 0 ]; then
        local i; for ((i = ${#list[@]} - 1; i >= 0; i--)); do echo "${list[$i]}"; done
    else
        printf '%s\n' "${list[@]}"
    fi
}

# bench_ring SIZE GUEST... : new yasmin connections of these guests use rings of SIZE bytes
# (the module's ring_size: each side sizes the ring it sends through).
bench_ring() {
    local size=$1 guest; shift
    for guest in "$@"; do
        lab_guest_exec "$guest" "echo $size >/sys/module/yasmin/parameters/ring_size &&
            [ \$(cat /sys/module/yasmin/parameters/ring_size) = $size ]" ||
            lab_fail "$guest: could not set yasmin's ring_size to $size"
    done
}

# bench_preload yes|no NAME : the prefix that runs a command under yasmin-run (or nothing).
bench_preload() {
    [ "$1" = no ] || echo "YASMIN_DEBUG_FILE=/tmp/$2.debug yasmin-run"
}

# bench_server_start GUEST NAME yes|no COMMAND READY : COMMAND (a shell command line) in the
# background in GUEST, under yasmin-run or not; waits (30 s at most) until the shell test
# READY holds there.
bench_server_start() {
    local guest=$1 name=$2 run
    run=$(bench_preload "$3" "$name")
    lab_guest_exec "$guest" "cd /tmp; $run $4 >/tmp/$name.log 2>&1 </dev/null &
        echo \$! >/tmp/$name.pid" || lab_fail "$guest: $name: could not start"
    if ! lab_guest_exec "$guest" "i=0; until $5; do
            [ \$i -lt 300 ] && kill -0 \$(cat /tmp/$name.pid) 2>/dev/null || exit 1
            sleep 0.1; i=\$((i + 1)); done"; then
        lab_guest_exec "$guest" "cat /tmp/$name.log" || true
        lab_fail "$guest: $name did not get ready"
    fi
}

# bench_listening PORT : a READY test: something listens on TCP PORT.
bench_listening() { echo "ss -Hltn 'sport = :$1' | grep -q ."; }

# bench_server_stop GUEST NAME : stops it (if still running) and waits until it is gone.
bench_server_stop() {
    lab_guest_exec "$1" "pid=\$(cat /tmp/$2.pid 2>/dev/null) || exit 0; kill \$pid 2>/dev/null
        i=0; while kill -0 \$pid 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
        kill -9 \$pid 2>/dev/null; rm -f /tmp/$2.pid" || true
}

# bench_client GUEST yes|no COMMAND : runs COMMAND in GUEST (under yasmin-run or not) and
# prints its output; a failure shows the output and fails the scenario.
bench_client() {
    local out rc=0 run pid waited=0 diagnosed=0
    run=$(bench_preload "$2" client)
    mkdir -p "$LAB_RUN"
    LAB_EXEC_TIMEOUT=${LAB_EXEC_TIMEOUT:-300} lab_guest_exec "$1" "cd /tmp; $run $3 2>&1" \
        >"$LAB_RUN/bench-client.out" &
    pid=$!
    # A run still going long after it should have ended: look at the connections while they
    # are stuck, before the program's own timeouts close them.
    while kill -0 $pid 2>/dev/null; do
        sleep 1; waited=$((waited + 1))
        if [ $waited -eq "${BENCH_STUCK_AFTER:-45}" ]; then
            echo "--- still running after $waited s: $3" >&2; bench_diagnose >&2; diagnosed=1
        fi
    done
    wait $pid || rc=$?
    out=$(cat "$LAB_RUN/bench-client.out")
    if [ $rc -ne 0 ]; then
        echo "$out" >&2
        [ $diagnosed -eq 1 ] || bench_diagnose >&2
        lab_fail "$1: '$3' exited $rc"
    fi
    echo "$out"
}

# bench_diagnose : what a failed run leaves to look at: the yasmin connections and peers of
# guest-a and guest-b, their servers' logs and the end of their kernel logs.
bench_diagnose() {
    local guest
    for guest in guest-a guest-b; do
        echo "--- $guest after the failure"
        lab_guest_exec "$guest" "cat /proc/net/yasmin /proc/net/yasmin_peers; grep yasmin /proc/interrupts; ps | grep -v ' \\[' | tail -n 8
            for p in \$(pidof yasmin-msgbench iperf3 NPtcp); do echo \"# \$p: \$(cat /proc/\$p/wchan)\";
                cat /proc/\$p/task/*/stack 2>/dev/null | head -n 12; done
            for f in /tmp/*.log; do echo \"# \$f\"; tail -n 5 \$f; done
            echo w >/proc/sysrq-trigger; dmesg | tail -n 40" || true
    done
    echo "--- Xen's event channels of guest-a ($(lab_domid guest-a)) and guest-b ($(lab_domid guest-b))"
    xl debug-keys e && xl dmesg | tail -n 400 |
        awk -v a="$(lab_domid guest-a)" -v b="$(lab_domid guest-b)" '
            /Event channel information for domain/ { d = $NF; sub(/:$/, "", d) } d == a || d == b'
}

# bench_bytes_to GUEST PEER : bytes GUEST has sent to PEER over yasmin so far (closed and
# open connections: /proc/net/yasmin_peers), to prove which path a run took.
bench_bytes_to() {
    local domid line
    domid=$(lab_domid "$2")
    line=$(lab_guest_exec "$1" "awk -v d=$domid 'NR > 1 && \$1 == d { print \$8 }' /proc/net/yasmin_peers")
    echo "${line:-0}"
}

# bench_expect_path SERIES BEFORE AFTER WHAT : yasmin runs moved bytes over yasmin, the others
# none (a yasmin-run that fell back to TCP would be measured as the wrong line).
bench_expect_path() {
    case "$1" in
    yasmin) [ "$3" -gt "$2" ] || lab_fail "$4: went over TCP, not yasmin (yasmin bytes $2 -> $3)" ;;
    *) [ "$3" -eq "$2" ] || lab_fail "$4: went over yasmin (yasmin bytes $2 -> $3)" ;;
    esac
}
