# `ss -A vsock` shows yasmin's sockets: with vsock_diag loaded, a listener in guest-b and a
# connection guest-a -> guest-b appear in both guests with the right CIDs and ports.
# vsock_diag is unloaded again afterwards where this scenario loaded it.
# timeout: 240
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5082
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
acid=$(lab_cid guest-a) bcid=$(lab_cid guest-b)
declare -A had_diag
for guest in guest-a guest-b; do
    had_diag[$guest]=$(lab_guest_exec $guest "grep -c '^vsock_diag ' /proc/modules" || true)
done
cleanup() {
    lab_guest_exec guest-a "[ -f /tmp/ss-hold.pid ] || exit 0; kill \$(cat /tmp/ss-hold.pid)
        rm -f /tmp/ss-hold.pid; cat /tmp/ss-hold.log"
    lab_vsock_stop guest-b $port
    for guest in guest-a guest-b; do
        [ "${had_diag[$guest]}" = 1 ] || lab_guest_exec $guest "rmmod vsock_diag"
    done
}
trap 'cleanup >/dev/null 2>&1' EXIT

lab_vsock_serve guest-b $port
# One parked connection, held open for up to 120 s (ended by the cleanup).
lab_guest_exec guest-a "yasmin-vsock-test exhaust $bcid $port --max 1 --allow-cap --hold-seconds 120 \
    >/tmp/ss-hold.log 2>&1 & echo \$! >/tmp/ss-hold.pid"
lab_guest_exec guest-a "i=0; until grep -q 'holding the connections' /tmp/ss-hold.log; do
        [ \$i -lt 150 ] || exit 1; sleep 0.2; i=\$((i + 1)); done" ||
    lab_fail "the connection was not made: $(lab_guest_exec guest-a "cat /tmp/ss-hold.log")"
echo "ok: guest-a holds a connection to $bcid:$port"

# ss_sockets GUEST : "STATE LOCAL PEER" for every vsock stream socket `ss -A vsock -a -n`
# lists there (the columns after the state are Recv-Q, Send-Q, local and peer address).
ss_sockets() {
    local table
    table=$(lab_guest_exec "$1" "modprobe vsock_diag && ss -A vsock -a -n") ||
        lab_fail "$1: ss -A vsock failed: $table"
    echo "$table" | sed "s/^/  $1: /" >&2
    awk '{ for (i = 1; i <= NF; i++) if ($i == "LISTEN" || $i == "ESTAB") { print $i, $(i + 3), $(i + 4); break } }' \
        <<<"$table"
}
a=$(ss_sockets guest-a) b=$(ss_sockets guest-b)

# guest-a: the connection to guest-b's port.  The client's own address is what it was bound
# to: af_vsock binds a connecting socket to VMADDR_CID_ANY ("*"), so either form is right.
line=$(awk -v peer="$bcid:$port" '$1 == "ESTAB" && $3 == peer' <<<"$a")
[ "$(wc -l <<<"$line")" = 1 ] && [ -n "$line" ] ||
    lab_fail "guest-a: not exactly one ESTAB socket with peer $bcid:$port in: $a"
local_addr=$(cut -d' ' -f2 <<<"$line")
aport=${local_addr##*:}
case "$local_addr" in
"$acid:$aport" | "*:$aport") echo "ok: guest-a: ESTAB $local_addr -> $bcid:$port" ;;
*) lab_fail "guest-a: the connection's local address is $local_addr, not $acid or * with a port" ;;
esac

# guest-b: the listener, and the accepted connection from guest-a's port.
awk -v p="$port" '$1 == "LISTEN" && ($2 == "*:" p || $2 == "'"$bcid"':" p)' <<<"$b" | grep -q . ||
    lab_fail "guest-b: no listener on port $port in: $b"
echo "ok: guest-b: LISTEN on port $port"
line=$(awk -v peer="$acid:$aport" '$1 == "ESTAB" && $3 == peer' <<<"$b")
[ -n "$line" ] || lab_fail "guest-b: no ESTAB socket with peer $acid:$aport in: $b"
lab_assert_eq "$bcid:$port" "$(cut -d' ' -f2 <<<"$line")" "guest-b: the accepted connection's local address"

trap - EXIT
cleanup
lab_yasmin_wait_idle guest-a
lab_yasmin_wait_idle guest-b
for guest in guest-a guest-b; do
    [ "${had_diag[$guest]}" = 1 ] ||
        lab_assert_eq 0 "$(lab_guest_exec $guest "grep -c '^vsock_diag ' /proc/modules" || true)" \
            "$guest: vsock_diag unloaded again"
done
