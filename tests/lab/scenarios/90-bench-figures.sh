# The paper's figures between guests (issue 8; bench/lab.sh makes docs/performance.md from the
# CSV this writes to out/bench/lab.csv).  Unmodified tools where they speak TCP, run over
# yasmin (both ends under yasmin-run) at several ring sizes and plainly over netfront, and
# yasmin-msgbench (tools/msg_bench.c, a plain TCP/AF_UNIX program) for the AF_UNIX line
# inside one guest:
#   Fig. 4  round-trip time vs message size: NPtcp ping-pong; yasmin-msgbench pingpong
#   Fig. 5  throughput vs message size: NPtcp (ping-pong); yasmin-msgbench stream
#   Fig. 6  throughput vs ring size: iperf3
#   Fig. 7  aggregate throughput of 1, 2 pairs of guests at once: iperf3
#   connect+accept+close per second: yasmin-msgbench connect
# Every series of one repeat runs back to back in this boot (order reversed on even repeats),
# and each run proves its path (yasmin's byte counters moved, or did not).  No timing is
# asserted: under TCG only the ratios mean anything, and bench/lab_report.py computes them.
# Without lab/bench.env this is the smoke mode the test command runs (lib-bench.sh).
# timeout: 900
. "$LAB_SHARE/lab/scenarios/lib.sh"
. "$LAB_SHARE/lab/scenarios/lib-bench.sh"

bench_configure
unix_socket=/tmp/msgbench.sock

# --- the guests ---------------------------------------------------------------------------
# guest-a and guest-b for everything; guest-c and guest-d for the second pair of Fig. 7.
guests=(guest-a guest-b)
case " $BENCH_PAIRS " in *" 2 "*) guests+=(guest-c guest-d) ;; esac
missing=()
for guest in "${guests[@]}"; do xl domid "$guest" >/dev/null 2>&1 || missing+=("$guest"); done
[ ${#missing[@]} -eq 0 ] || lab_start_guests "${missing[@]}"
# The guests this scenario started, other than the two every scenario has, go when it ends.
cleanup() {
    local guest
    for guest in "${missing[@]}"; do
        case " ${LAB_GUESTS[*]} " in *" $guest "*) ;; *) xl destroy "$guest" || true ;; esac
    done
}
trap cleanup EXIT
lab_yasmin_load "${guests[@]}"
lab_yasmin_pair guest-a guest-b >/dev/null
[ ${#guests[@]} -eq 2 ] || lab_yasmin_pair guest-c guest-d >/dev/null
b_ip=$(lab_guest_ip guest-b)

# --- the measurements, one function per tool; SERIES is yasmin, netfront or af_unix --------
preload_for() { [ "$1" = yasmin ] && echo yes || echo no; }
# label SERIES RING : "yasmin 512 KiB", "netfront", for the log.
label() { if [ "$2" = 0 ]; then echo "$1"; else echo "$1 $(($2 / 1024)) KiB"; fi; }

# nptcp SERIES RING : one NPtcp ping-pong sweep from 1 byte to BENCH_NP_MAX, guest-a to
# guest-b: Fig. 4's round-trip times and NetPIPE's classic throughput curve for Fig. 5.  Its
# output file has "bytes Mbps seconds" per size, seconds being half a round trip.  NetPIPE
# measures each size n as n-3, n and n+3 (its perturbation; -p 0 makes Debian's NPtcp hang at
# 16 bytes, on plain TCP too): the figures keep the powers of two.  (NPtcp -s, streaming,
# reconnects between trials and fails with ECONNRESET on plain loopback TCP already: the
# streaming curve is yasmin-msgbench's.)
nptcp() {
    local series=$1 ring=$2 port before out pre
    port=$(bench_port) pre=$(preload_for "$series")
    before=$(bench_bytes_to guest-a guest-b)
    bench_server_start guest-b netpipe "$pre" "NPtcp -P $port" "$(bench_listening "$port")"
    out=$(bench_client guest-a "$pre" "NPtcp -h $b_ip -P $port -l 1 -u $BENCH_NP_MAX \
        -n $BENCH_NP_REPEATS -o /tmp/np.out >/tmp/np.log 2>&1 && cat /tmp/np.out")
    out=$(while read -r bytes rest; do
        [[ "$bytes" =~ ^[0-9]+$ ]] || lab_fail "NPtcp $series: unexpected output line '$bytes $rest'"
        [ $((bytes & (bytes - 1))) -ne 0 ] || echo "$bytes $rest"; done <<<"$out")
    bench_server_stop guest-b netpipe
    bench_expect_path "$series" "$before" "$(bench_bytes_to guest-a guest-b)" "NPtcp $series"
    [ "$(awk '{ n = $1 } END { print n }' <<<"$out")" = "$BENCH_NP_MAX" ] ||
        lab_fail "NPtcp $series did not reach $BENCH_NP_MAX bytes: $(tail -n 2 <<<"$out")"
    while read -r bytes mbps seconds; do
        bench_row latency nptcp "$series" "$ring" "$bytes" 1 rtt_us \
            "$(awk -v s="$seconds" 'BEGIN { printf "%.3f", 2e6 * s }')"
        bench_row throughput-size nptcp "$series" "$ring" "$bytes" 1 mbit_s "$mbps"
    done <<<"$out"
    echo "  NPtcp $(label "$series" "$ring"): $(awk 'NR == 1 { print "1 B:", 2e6 * $3, "us;" }
        END { print $1, "B:", $2, "Mbit/s" }' <<<"$out" | tr '\n' ' ')"
}

# msgbench_server SERIES : the yasmin-msgbench server for this series: TCP in guest-b (under
# yasmin-run for yasmin) or AF_UNIX in guest-a; sets endpoint, server_guest.
msgbench_server() {
    local port
    if [ "$1" = af_unix ]; then
        server_guest=guest-a endpoint="unix $unix_socket"
        bench_server_start guest-a msgbench no "yasmin-msgbench serve $endpoint" "[ -S $unix_socket ]"
    else
        port=$(bench_port)
        server_guest=guest-b endpoint="tcp $b_ip $port"
        bench_server_start guest-b msgbench "$(preload_for "$1")" "yasmin-msgbench serve tcp $port" \
            "$(bench_listening "$port")"
    fi
}

# msgbench SERIES RING : ping-pong and stream at every BENCH_MSG_SIZES, and the connection
# rate (at the first ring only: the ring size does not enter a connection's set-up cost
# beyond its grants), from guest-a.
msgbench() {
    local series=$1 ring=$2 pre size out before value
    pre=$(preload_for "$series")
    msgbench_server "$series"
    before=$(bench_bytes_to guest-a guest-b)
    for size in $BENCH_MSG_SIZES; do
        out=$(bench_client guest-a "$pre" "yasmin-msgbench pingpong $endpoint --size $size \
            --seconds $BENCH_SECONDS")
        value=$(lab_number "$out" usec_per_round_trip)
        bench_row latency msgbench "$series" "$ring" "$size" 1 rtt_us "$value"
        out=$(bench_client guest-a "$pre" "yasmin-msgbench stream $endpoint --size $size \
            --seconds $BENCH_SECONDS")
        bench_row throughput-size msgbench "$series" "$ring" "$size" 1 mbit_s "$(lab_number "$out" mbit_s)"
        echo "  msgbench $(label "$series" "$ring") $size B: $value us per round trip, $(lab_number "$out" mbit_s) Mbit/s"
    done
    if [ "$series" != yasmin ] || [ "$ring" = "${BENCH_RINGS%% *}" ]; then
        out=$(bench_client guest-a "$pre" "yasmin-msgbench connect $endpoint --seconds $BENCH_SECONDS")
        value=$(lab_number "$out" per_s)
        bench_row connect msgbench "$series" "$ring" 0 1 conn_s "$value"
        echo "  msgbench $(label "$series" "$ring"): $value connect+accept+close per second"
    fi
    bench_server_stop "$server_guest" msgbench
    bench_expect_path "$series" "$before" "$(bench_bytes_to guest-a guest-b)" "msgbench $series"
}

# iperf3_pairs SERIES RING PAIRS FIGURE : iperf3 for BENCH_SECONDS from guest-a to guest-b and,
# with 2 pairs, from guest-c to guest-d at the same time; records the sum of the receivers'
# rates (Fig. 7) or the one rate (Fig. 6).
iperf3_pairs() {
    local series=$1 ring=$2 pairs=$3 figure=$4 pre port total=0 rate i
    local clients=(guest-a guest-c) servers=(guest-b guest-d) pids=() before
    pre=$(preload_for "$series")
    port=$(bench_port)
    before=$(bench_bytes_to guest-a guest-b)
    for ((i = 0; i < pairs; i++)); do
        bench_server_start "${servers[$i]}" iperf3 "$pre" "iperf3 -s -1 -p $port" "$(bench_listening "$port")"
    done
    for ((i = 0; i < pairs; i++)); do
        bench_client "${clients[$i]}" "$pre" "iperf3 -c $(lab_guest_ip "${servers[$i]}") -p $port \
            -t $BENCH_SECONDS -f m" >"$LAB_RUN/iperf3-$i.out" &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || lab_fail "iperf3 pair $((i + 1)) failed"; done
    for ((i = 0; i < pairs; i++)); do
        bench_server_stop "${servers[$i]}" iperf3
        rate=$(awk '/receiver$/ { print $7 }' "$LAB_RUN/iperf3-$i.out" | tail -n 1)
        [ -n "$rate" ] || lab_fail "iperf3 pair $((i + 1)): no receiver line: $(cat "$LAB_RUN/iperf3-$i.out")"
        total=$(awk -v t="$total" -v r="$rate" 'BEGIN { print t + r }')
    done
    bench_expect_path "$series" "$before" "$(bench_bytes_to guest-a guest-b)" "iperf3 $series"
    if [ "$figure" = pairs ]; then
        bench_row pairs iperf3 "$series" "$ring" 0 "$pairs" mbit_s "$total"
    else
        bench_row throughput-ring iperf3 "$series" "$ring" 0 1 mbit_s "$total"
    fi
    echo "  iperf3 $(label "$series" "$ring"), $pairs pair(s): $total Mbit/s"
}

# check_ring RING : a yasmin connection opened now really sends through RING-byte rings both
# ways (/proc/net/yasmin in guest-a while a msgbench stream runs).
check_ring() {
    local rings
    msgbench_server yasmin
    rings=$(lab_guest_exec guest-a "$(bench_preload yes check) yasmin-msgbench stream $endpoint \
        --size 65536 --seconds 2 >/dev/null 2>&1 & sleep 1
        awk -v d=$(lab_domid guest-b) '\$1 == d && \$4 == \"established\" { print \$5, \$6 }' /proc/net/yasmin
        wait")
    bench_server_stop guest-b msgbench
    lab_assert_contains "$rings" "$1 $1" "a connection made at ring_size $1 uses $1-byte rings"
}

# --- the repeats --------------------------------------------------------------------------
for ((BENCH_REPEAT = 1; BENCH_REPEAT <= BENCH_REPEATS; BENCH_REPEAT++)); do
    echo "=== repeat $BENCH_REPEAT of $BENCH_REPEATS"
    for item in $(bench_series_order af_unix:0); do
        series=${item%%:*} ring=${item#*:}
        [ "$series" != yasmin ] || bench_ring "$ring" "${guests[@]}"
        [ "$BENCH_REPEAT" -gt 1 ] || [ "$series" != yasmin ] || check_ring "$ring"
        [ "$series" = af_unix ] || nptcp "$series" "$ring"
        msgbench "$series" "$ring"
    done
    # Fig. 6: iperf3 over each ring size of the sweep and over netfront.
    order=(netfront:0)
    for ring in $BENCH_RING_SWEEP; do order+=("yasmin:$ring"); done
    [ $((BENCH_REPEAT % 2)) -eq 1 ] || order=("${order[@]:1}" netfront:0)
    for item in "${order[@]}"; do
        series=${item%%:*} ring=${item#*:}
        [ "$series" != yasmin ] || bench_ring "$ring" "${guests[@]}"
        iperf3_pairs "$series" "$ring" 1 throughput-ring
    done
    # Fig. 7: 1, 2 pairs at the default ring size.
    bench_ring 524288 "${guests[@]}"
    for pairs in $BENCH_PAIRS; do
        for series in yasmin netfront; do
            ring=0; [ "$series" = netfront ] || ring=524288
            iperf3_pairs "$series" "$ring" "$pairs" pairs
        done
    done
done
bench_ring 524288 "${guests[@]}"

# The doorbell rescues of the run (guest-kmod/peer.c, yasmin_peer_rescue): stalls that the
# module recovered from, reported beside the figures (they cost up to 200 ms each).
for guest in "${guests[@]}"; do
    echo "$guest: doorbell rescues per peer: $(lab_yasmin_peer_field "$guest" doorbell_rescues)"
    echo "$guest: interrupts per peer: $(lab_yasmin_peer_field "$guest" interrupts)"
    echo "$guest: of which ended as spurious: $(lab_yasmin_peer_field "$guest" spurious_eois)"
    echo "$guest: events sent per peer: $(lab_yasmin_peer_field "$guest" notifies)"
done
echo "=== $(($(wc -l <"$BENCH_CSV") - 1)) measurements in out/bench/lab.csv"
for figure in latency throughput-size throughput-ring pairs connect; do
    n=$(grep -c "^$figure," "$BENCH_CSV" || true)
    [ "$n" -gt 0 ] || lab_fail "no measurement for $figure"
    echo "ok: $figure: $n measurements"
done
