# A stream that lives through moves (issue 7): guest-a reads one endless verified stream from
# guest-b's server (yasmin-vsock-test reconnect-stream, at 2 MB/s) while guest-b is saved and
# restored 5 times, a new domid each time.  At every move the client's connection is reset;
# it looks guest-b's new CID up in its /proc/net/yasmin_view and asks for the stream from the
# first byte it lacks.  Checked: after each move the bytes arrive over yasmin from guest-b's
# new domid (guest-a's /proc/net/yasmin_peers counters for it grow); at the end the client
# saw 5 resets and no other kind of end (no hang, no EOF), 6 different CIDs, and every byte of
# the one stream it put together is right, none missing.
# Why save + restore and not migration: Debian's Xen cannot live-migrate PV guests (no shadow
# paging, lib-move.sh), and a migrated PVH guest has been seen to crash on resume under TCG;
# save + restore goes through the same suspend and resume paths of the guest, with a new
# domid each time.  82-yasmin-remap migrates once.
# Leaves guest-a and guest-b running (guest-b at a new domid).
# timeout: 1500
. "$LAB_SHARE/lab/scenarios/lib.sh"
. "$LAB_SHARE/lab/scenarios/lib-move.sh"

port=5084 moves=5 rate=2000000
xl domid guest-b >/dev/null 2>&1 || lab_start_guests guest-b
lab_yasmin_pair guest-a guest-b >/dev/null
lab_yasmin_load guest-a guest-b
ip_b=$(lab_guest_ip guest-b)
cleanup() {
    lab_guest_exec guest-a "touch /tmp/stress.stop" >/dev/null 2>&1 || true
    lab_vsock_stop guest-b $port
}
trap cleanup EXIT
lab_vsock_serve guest-b $port

# received_from DOMID : guest-a's bytes_received from that peer (/proc/net/yasmin_peers, field 9).
received_from() {
    local n
    n=$(lab_guest_exec guest-a "awk -v d=$1 'NR > 1 && \$1 == d { print \$9 }' /proc/net/yasmin_peers" | tr -d '[:space:]')
    echo "${n:-0}"
}
# flowing DOMID : waits (60 s at most) until guest-a has received 1 MB more from DOMID than
# when it started waiting; prints how long it took.
flowing() {
    local d=$1 start first now i=0
    start=$(lab_now)
    first=$(received_from "$d")
    until now=$(received_from "$d"); [ $((now - first)) -ge 1000000 ]; do
        [ $i -lt 300 ] || lab_fail "guest-a received only $((now - first)) bytes over yasmin from domid $d in 60 s"
        sleep 0.2; i=$((i + 1))
    done
    echo "ok: the stream flows over yasmin from domid $d ($first -> $now bytes received; $(lab_seconds "$start" "$(lab_now)") s)"
}

lab_guest_exec guest-a "rm -f /tmp/stress.stop; yasmin-vsock-test reconnect-stream view:$ip_b $port 1200 \
    --rate $rate --stop-file /tmp/stress.stop --timeout 1300 >/tmp/stress.log 2>&1 &"
flowing "$(lab_domid guest-b)"
for i in $(seq 1 $moves); do
    echo "=== move $i of $moves: xl save + xl restore of guest-b with the stream running"
    lab_save_restore guest-b
    lab_yasmin_pair guest-a guest-b >/dev/null
    flowing "$LAB_MOVE_NEW_DOMID"
    [ "$(received_from "$LAB_MOVE_OLD_DOMID")" = 0 ] ||
        lab_fail "guest-a still has a line for guest-b's old domid $LAB_MOVE_OLD_DOMID in /proc/net/yasmin_peers"
done

lab_guest_exec guest-a "touch /tmp/stress.stop"
out=$(LAB_EXEC_TIMEOUT=120 lab_guest_exec guest-a "i=0; while pidof yasmin-vsock-test >/dev/null && [ \$i -lt 500 ]; do
        sleep 0.2; i=\$((i + 1)); done; cat /tmp/stress.log")
echo "$out"
result=$(grep '^reconnect-stream bytes=' <<<"$out") || lab_fail "the client did not finish"
lab_assert_contains "$out" "reconnect-stream: 1 ok, 0 failed" "the client: every byte right, no hang, no EOF"
lab_assert_eq "$moves" "$(lab_number "$result" resets)" "resets the client saw"
lab_assert_eq "$((moves + 1))" "$(lab_number "$result" connections)" "connections the client made"
cids=$(sed -n 's/.* cids=//p' <<<"$result")
lab_assert_eq "$((moves + 1))" "$(tr ',' '\n' <<<"$cids" | sort -u | wc -l)" "different CIDs the client reached ($cids)"
echo "measure: stress: $(lab_number "$result" bytes) bytes verified over $(lab_number "$result" connections)" \
    "connections in $(lab_number "$result" seconds) s, $moves save+restore moves"
grep 'to connect)' <<<"$out" | sed -n 's/.*(\(.*\) s to connect)/\1/p' | paste -sd' ' - |
    sed 's/^/measure: stress: seconds from each reset to the next connection: /'
trap - EXIT
cleanup
