# The demo's figure (scripts/lab-demo): the same unmodified iperf3 (Debian's), server in
# guest-b and client in guest-a, once over yasmin (both under yasmin-run; guest-a's byte
# counters for guest-b prove it) and once over netfront (no preload; the counters stay put),
# 5 s each, and the two rates side by side.  Under TCG only the ratio means anything.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"
. "$LAB_SHARE/lab/scenarios/lib-programs.sh"

seconds=5 port=5202
prog_setup

# run NAME yes|no : one iperf3 run, server and client both under yasmin-run or both without;
# sets rate ("N Mbits/sec").
run() {
    local out
    prog_server_start "$1" $port "$2" "iperf3 -s -p $port"
    out=$(prog_client "$1" "$2" "iperf3 -c $PROG_B_IP -p $port -t $seconds -f m 2>&1") ||
        { prog_server_stop "$1"; lab_fail "iperf3 -c failed"; }
    prog_server_stop "$1"
    grep -E 'sender$|receiver$' <<<"$out"
    lab_assert_contains "$out" "iperf Done" "iperf3 -c: the test completed"
    rate=$(prog_iperf3_rate "$out")
    [ -n "$rate" ] || lab_fail "no receiver line in iperf3's output"
}

echo "=== iperf3 over yasmin (server and client under yasmin-run)"
before=$(prog_counters)
run demo-yasmin yes
prog_decisions guest-a demo-yasmin
prog_expect_yasmin "iperf3 under yasmin-run" "$before" 1 0
yasmin_rate=$rate

echo "=== iperf3 over netfront (no preload)"
before=$(prog_counters)
run demo-netfront no
prog_expect_tcp "iperf3 without the preload" "$before"
netfront_rate=$rate

echo
printf '%-28s %s\n' "iperf3 over yasmin:" "$yasmin_rate" "iperf3 over netfront:" "$netfront_rate"
echo "demo: iperf3 guest-a -> guest-b, ${seconds} s: yasmin $yasmin_rate, netfront $netfront_rate:" \
    "yasmin/netfront = $(awk -v y="${yasmin_rate%% *}" -v n="${netfront_rate%% *}" \
        'BEGIN { printf "%.2f", y / n }')"
