# A peer dies in the middle of a transfer: the survivor's connection is reset (ECONNRESET)
# at once, the dead peer's pages are unmapped so that Xen can free the domain (no zombie left
# in `xl list`), the control channel goes down, and a re-created peer is reachable again.
# Runs after 76-yasmin-teardown, which destroyed guest-b and unloaded yasmin in guest-a.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5078
lab_start_guests guest-b
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
cid=$(lab_cid guest-b)
lab_vsock_serve guest-b $port

# A transfer far longer than the scenario: it only ends by the reset.  Its end is stamped
# with guest-a's uptime, so the delay is measured on one clock.
lab_guest_exec guest-a "(yasmin-vsock-test stream $cid $port $((64 << 30)) --timeout 200
        echo \"exit=\$? at \$(cut -d' ' -f1 /proc/uptime)\") >/tmp/death.log 2>&1 &"
lab_guest_exec guest-a "i=0; until [ \"\$(cat /sys/kernel/yasmin/connections)\" = 1 ]; do
        [ \$i -lt 100 ] || exit 1; sleep 0.1; i=\$((i + 1)); done; sleep 2" ||
    lab_fail "the transfer did not start: $(lab_guest_exec guest-a "cat /tmp/death.log")"
# The counters an operator reads (docs/observability.md) show the live transfer.
b_domid=$(xl domid guest-b)
conns=$(lab_guest_exec guest-a "cat /proc/net/yasmin")
peers=$(lab_guest_exec guest-a "cat /proc/net/yasmin_peers")
echo "$conns"; echo "$peers"
awk -v d="$b_domid" -v p=$port 'NR > 1 && $1 == d && $3 == p && $4 == "established" &&
        $7 > 0 && $8 > 0 { found = 1 } END { exit !found }' <<<"$conns" ||
    lab_fail "/proc/net/yasmin does not show the transfer to domain $b_domid port $port"
echo "ok: /proc/net/yasmin shows the connection, bytes moving both ways"
awk -v d="$b_domid" 'NR > 1 && $1 == d && $2 == "up" && $3 == 1 { found = 1 } END { exit !found }' \
    <<<"$peers" || lab_fail "/proc/net/yasmin_peers does not show the channel to domain $b_domid up"
echo "ok: /proc/net/yasmin_peers shows the control channel up with 1 connection"
before=$(lab_guest_exec guest-a "cut -d' ' -f1 /proc/uptime")
xl destroy guest-b
after=$(lab_guest_exec guest-a "cut -d' ' -f1 /proc/uptime")
echo "ok: guest-b (domid $b_domid) destroyed during the transfer (guest-a uptime $before s to $after s)"

out=$(LAB_EXEC_TIMEOUT=60 lab_guest_exec guest-a "i=0; until grep -q '^exit=' /tmp/death.log; do
        [ \$i -lt 300 ] || break; sleep 0.1; i=\$((i + 1)); done; cat /tmp/death.log")
echo "$out"
lab_assert_contains "$out" "ECONNRESET" "guest-a: the transfer to the dead guest fails with ECONNRESET"
ended=$(sed -n 's/^exit=[0-9]* at //p' <<<"$out")
[ -n "$ended" ] || lab_fail "guest-a: the transfer did not end"
delay=$(awk -v a="$before" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')
since_done=$(awk -v a="$after" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')
echo "peer death: the survivor's transfer ended ${delay} s after xl destroy was issued," \
    "${since_done} s after it returned (negative: before it returned)"
# The figures above are what to read (xl destroy itself is slow under emulation); this only
# catches a reset that hangs once the domain is gone.
awk -v d="$since_done" 'BEGIN { exit !(d < 5) }' ||
    lab_fail "the reset came ${since_done} s after the domain was destroyed"

lab_guest_exec guest-a "i=0; until [ \"\$(cat /sys/kernel/yasmin/maps_active)\" = 0 ] &&
        [ \"\$(cat /sys/kernel/yasmin/peers_connected)\" = 0 ]; do
        [ \$i -lt 50 ] || exit 1; sleep 0.2; i=\$((i + 1)); done" ||
    lab_fail "guest-a still maps guest-b's pages: $(lab_yasmin_counters guest-a)"
echo "ok: guest-a unmapped guest-b and dropped the control channel: $(lab_yasmin_counters guest-a)"
for _ in $(seq 50); do
    xl list | awk -v d="$b_domid" '$2 == d { found = 1 } END { exit !found }' || break
    sleep 0.2
done
xl list
xl list | awk -v d="$b_domid" '$2 == d { exit 1 }' ||
    lab_fail "domain $b_domid is still in xl list (a zombie kept by mapped pages?)"
echo "ok: no zombie: domain $b_domid is gone from xl list"

# The peer comes back (a new domain, a new domid): connections work again.
lab_start_guests guest-b
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-b
lab_vsock_serve guest-b $port
lab_vsock_test guest-a stream "$(lab_cid guest-b)" $port $((16 << 20))
lab_vsock_stop guest-b $port
echo "ok: a new connection to the re-created guest-b ($(xl domid guest-b)) works"
