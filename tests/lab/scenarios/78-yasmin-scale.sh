# yasmin at scale between two guests: 1000 connections open at the same time, every one
# moving 64 KiB each way through an echo (verified), then 10,000 connect / echo / close
# cycles in a row; afterwards the module's counters (grants, mappings, event channels,
# connections, interrupts) are back where they were before, and memory did not grow with
# the cycles.  Last, connections until the grant budget runs out: ENOBUFS, and nothing left
# over.  Every run is made and reported even when an earlier one fails.
# timeout: 900
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5081 conns=1000 bytes=65536 cycles=10000
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
# The test server has a thread per connection, and the kernel's default thread limit in a
# 256 MiB guest is 1050 tasks in all (threads-max, from the RAM): 1000 connections' threads
# and the guest's own ~55 tasks exceed it (pthread_create: EAGAIN).  The limit is the test
# program's, not yasmin's, whose connections are no tasks.
for guest in guest-a guest-b; do
    lab_exec $guest "echo 4096 >/proc/sys/kernel/threads-max" || lab_fail "$guest: cannot raise kernel.threads-max"
done
cid=$(lab_cid guest-b)
trap 'lab_vsock_stop guest-b $port' EXIT
lab_vsock_serve guest-b $port

# A domain's memory in kB, as one line "MemFree=N Slab=N SUnreclaim=N VmallocUsed=N serve_rss=N" (the last:
# the test server's resident memory, where it runs; it is not the module's).
lab_mem() {
    lab_exec "$1" "awk '/^(MemFree|Slab|SUnreclaim|VmallocUsed):/ { sub(\":\", \"\", \$1); printf \"%s=%s \", \$1, \$2 }' /proc/meminfo
        pid=\$(cat /run/yasmin-vsock-test-$port.pid 2>/dev/null) &&
            awk '/^VmRSS:/ { printf \"serve_rss=%s \", \$2 }' /proc/\$pid/status; echo"
}
mem_value() { local v; v=$(sed -n "s/.*$2=\([0-9]*\).*/\1/p" <<<"$1"); echo "${v:-0}"; }   # LINE KEY

# run NAME COMMAND : runs yasmin-vsock-test COMMAND in guest-a; a failure is recorded in
# $failed and the scenario goes on.  Its output is kept in $out.
failed=
run() {
    local name=$1 rc=0; shift
    echo "--- guest-a: yasmin-vsock-test $*"
    out=$(LAB_EXEC_TIMEOUT=450 lab_exec guest-a "yasmin-vsock-test $*") || rc=$?
    echo "$out"
    if [ $rc -ne 0 ]; then
        echo "FAIL: $name (exit $rc): $(grep -m 1 '^FAIL' <<<"$out")"
        failed="$failed $name"
    fi
}

# settle GUEST... : no connection left (waits up to 10 s each); a leftover is a failure.
settle() {
    local guest
    for guest in "$@"; do
        (lab_yasmin_wait_idle "$guest") || failed="$failed $guest-idle"
    done
}

# The per-peer control channel comes up with a first connection; "before" is taken after it.
lab_vsock_test guest-a bench-rr "$cid" $port 1
settle guest-a guest-b
declare -A counters_before mem_before mem_mid
for guest in guest-a guest-b; do
    counters_before[$guest]=$(lab_yasmin_counters $guest)
    mem_before[$guest]=$(lab_mem $guest)
    echo "$guest before: ${counters_before[$guest]}; ${mem_before[$guest]}"
done

run "$conns concurrent connections" many "$cid" $port $conns $bytes --timeout 300
held=$(lab_number "$out" held) mbps=$(lab_number "$out" MBps_total)
echo "scale: ${held:-0} of $conns connections held at once, ${mbps:-0} MB/s in total"
settle guest-a guest-b
for guest in guest-a guest-b; do
    mem_mid[$guest]=$(lab_mem $guest)
    echo "$guest after the $conns connections: $(lab_yasmin_counters $guest); ${mem_mid[$guest]}"
done

run "$cycles cycles" cycles "$cid" $port --count $cycles --bytes 1000 --timeout 400
cycles_done=$(lab_number "$out" "done")
cycles_done=${cycles_done:-0}
echo "cycles: $cycles_done of $cycles done," \
    "$(lab_number "$out" cycles_per_s) cycles/s over $(lab_number "$out" seconds) s"
settle guest-a guest-b

# Counters: exactly as before.  Memory: the cycles (after the 1000 connections have warmed the
# slab caches) may leave at most 1 KiB of unreclaimable slab each, and take at most 1 KiB of
# free memory each (plus 8 MiB of slack, and not counting the test server's own growth).
for guest in guest-a guest-b; do
    now=$(lab_yasmin_counters $guest) mem=$(lab_mem $guest)
    echo "$guest counters before: ${counters_before[$guest]}"
    echo "$guest counters after:  $now"
    echo "$guest memory before:   ${mem_before[$guest]}"
    echo "$guest memory mid:      ${mem_mid[$guest]}(after the $conns connections)"
    echo "$guest memory after:    $mem"
    if [ "$now" = "${counters_before[$guest]}" ]; then
        echo "ok: $guest: yasmin counters back to where they were"
    else
        echo "FAIL: $guest: yasmin counters not back: '${counters_before[$guest]}' -> '$now'"
        failed="$failed $guest-counters"
    fi
    grown=$(($(mem_value "$mem" SUnreclaim) - $(mem_value "${mem_mid[$guest]}" SUnreclaim)))
    taken=$(($(mem_value "${mem_mid[$guest]}" MemFree) - $(mem_value "$mem" MemFree) -
        ($(mem_value "$mem" serve_rss) - $(mem_value "${mem_mid[$guest]}" serve_rss))))
    echo "$guest: over $cycles_done cycles, SUnreclaim grew by $grown kB and $taken kB of free" \
        "memory went (not counting the server's); MemFree changed by" \
        "$(($(mem_value "$mem" MemFree) - $(mem_value "${mem_before[$guest]}" MemFree))) kB in all"
    if [ "$grown" -le "$cycles_done" ]; then   # kB against cycles: 1 KiB each
        echo "ok: $guest: no slab growth beyond 1 KiB per cycle"
    else
        echo "FAIL: $guest: unreclaimable slab grew by $grown kB over $cycles_done cycles"
        failed="$failed $guest-slab"
    fi
    if [ "$taken" -le $((cycles_done + 8192)) ]; then
        echo "ok: $guest: free memory did not shrink by more than 1 KiB per cycle (+ 8 MiB)"
    else
        echo "FAIL: $guest: $taken kB of free memory went over $cycles_done cycles"
        failed="$failed $guest-memory"
    fi
done

# Exhaustion, at Xen's and the module's default limits: connections are opened (parked by the
# server, no data) until one fails.  The grant budget of one of the two guests runs out first
# (rings shrink on the way, docs/contract.md "Budgets"), and the failure must be ENOBUFS, at
# the connecting end whichever side ran out; then everything goes back to where it was.
for guest in guest-a guest-b; do
    echo "$guest grant budget: $(lab_exec $guest 'cat /sys/kernel/yasmin/grant_budget') pages"
done
run "exhaustion" exhaust "$cid" $port --max 6000 --hold-seconds 2 --timeout 300
echo "exhaustion: $(lab_number "$out" opened) connections open when connect() failed with" \
    "$(sed -n 's/.* failure=\([A-Z]*\).*/\1/p' <<<"$out")"
if grep -q ' failure=ENOBUFS ' <<<"$out"; then
    echo "ok: exhaustion: connect() fails with ENOBUFS when the budget is used up"
else
    echo "FAIL: exhaustion: no ENOBUFS"
    failed="$failed exhaustion-errno"
fi
settle guest-a guest-b
for guest in guest-a guest-b; do
    now=$(lab_yasmin_until $guest "[ \"\$counters\" = '${counters_before[$guest]}' ]")
    if [ "$now" = "${counters_before[$guest]}" ]; then
        echo "ok: $guest: yasmin counters back to where they were after the exhaustion"
    else
        echo "FAIL: $guest: counters after the exhaustion: '${counters_before[$guest]}' -> '$now'"
        failed="$failed $guest-exhaustion-counters"
    fi
done

[ -z "$failed" ] || lab_fail "failed:$failed"
