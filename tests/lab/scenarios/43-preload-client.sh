# The preload's client side (libyasmin.so through yasmin-run), with a dynamically linked TCP
# program in guest-a and the test server in guest-b:
#   - to guest-b's IP on a port where guest-b listens on vsock: the connection goes over
#     yasmin (guest-a's byte counter for guest-b grows by the data sent), the data is
#     verified byte for byte, and getpeername shows guest-b's IP;
#   - to guest-b's IP on a port where only TCP listens: vsock is refused and the same program
#     falls back to TCP (the counter stays put), the data verified too;
#   - YASMIN_DISABLE=1: plain TCP, the counter stays put.
# The server side (a TCP listener also accepting vsock clients) is not built yet.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

vsock_port=5093 tcp_port=5094 bytes=$((16 << 20))
xl domid guest-b >/dev/null 2>&1 || lab_start_guests guest-b
lab_yasmin_pair guest-a guest-b >/dev/null
lab_yasmin_load guest-a guest-b
b=$(lab_domid guest-b) b_ip=$(lab_guest_ip guest-b)
lab_vsock_serve guest-b $vsock_port
lab_vsock_serve guest-b $tcp_port --family tcp
cleanup() { lab_vsock_stop guest-b $vsock_port; lab_vsock_stop guest-b $tcp_port; }
trap cleanup EXIT

view=$(lab_guest_exec guest-a "cat /proc/net/yasmin_view")
echo "$view"
lab_assert_contains "$view" "$b_ip $((b + 2))" "guest-a's view lists guest-b's address"

# bytes_sent of guest-a's line for guest-b in /proc/net/yasmin_peers (column 8).
sent_to_b() {
    lab_guest_exec guest-a "awk -v d=$b 'NR > 1 && \$1 == d { print \$8 }' /proc/net/yasmin_peers" |
        tr -d '[:space:]'
}
client() {   # PORT [ENV...]: the dynamic test program over the TCP API, under yasmin-run
    local port=$1; shift
    lab_guest_exec guest-a "$* YASMIN_DEBUG=1 yasmin-run yasmin-vsock-test-dynamic stream \
        --family tcp $b_ip $port $bytes 2>&1"
}

echo "=== to a port where guest-b listens on vsock: over yasmin"
before=$(sent_to_b); before=${before:-0}
out=$(client $vsock_port) || lab_fail "the client failed: $out"
echo "$out" | tail -n 8
lab_assert_contains "$out" " 0 failed" "the stream ran and verified"
lab_assert_not_contains "$out" "FAIL" "every byte verified"
after=$(sent_to_b)
echo "guest-a -> guest-b bytes through yasmin: $before -> $after"
[ $((after - before)) -ge $bytes ] ||
    lab_fail "the connection did not go over yasmin ($((after - before)) bytes, expected >= $bytes)"
echo "ok: a TCP program's connection to guest-b went over yasmin ($((after - before)) bytes)"

echo "=== to a port where only TCP listens: vsock refused, TCP fallback"
before=$(sent_to_b)
out=$(client $tcp_port) || lab_fail "the fallback client failed: $out"
echo "$out" | tail -n 8
lab_assert_not_contains "$out" "FAIL" "every byte verified over the fallback"
after=$(sent_to_b)
[ $((after - before)) -lt $bytes ] || lab_fail "the fallback connection went over yasmin"
echo "ok: refused on vsock, the same program reached guest-b over TCP"

echo "=== YASMIN_DISABLE=1: plain TCP"
before=$(sent_to_b)
out=$(client $tcp_port YASMIN_DISABLE=1) || lab_fail "the client failed with YASMIN_DISABLE=1: $out"
lab_assert_not_contains "$out" "FAIL" "every byte verified with YASMIN_DISABLE=1"
after=$(sent_to_b)
[ "$after" = "$before" ] || lab_fail "YASMIN_DISABLE=1 still used yasmin ($before -> $after)"
echo "ok: YASMIN_DISABLE=1 leaves the program on TCP"
