# yasmin cleans up after itself: with no connection open, the guests' grants, mappings,
# event channels and interrupts are back to where 70-yasmin-semantics recorded them after its
# first connection; when guest-b dies, guest-a's connection to it is reset (ECONNRESET) and
# guest-a unmaps everything of guest-b's; then guest-a unloads the module.
# Destroys guest-b: keep this the last scenario (or have later ones start guest-b again).
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5077
leaks=0
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
# A leak is reported but does not stop the scenario: the peer-death check still runs.
for guest in guest-a guest-b; do
    if [ -f "$LAB_RUN/yasmin-$guest.settled" ]; then
        echo "$guest idle: $(cat "$LAB_RUN/yasmin-$guest.idle")"
        (lab_yasmin_wait_idle "$guest" && lab_yasmin_expect "$guest" settled) || leaks=1
    else
        echo "skip: $guest: no counters recorded by 70-yasmin-semantics in this run"
    fi
done

# Peer death: guest-a waits in recv on a connection guest-b's server holds open.
b_domid=$(xl domid guest-b)
trap 'lab_vsock_stop guest-b $port' EXIT
lab_vsock_serve guest-b $port
lab_guest_exec guest-a "(yasmin-vsock-test wait-reset $(lab_cid guest-b) $port; echo exit=\$?) \
    >/tmp/wait-reset.log 2>&1 &"
lab_guest_exec guest-a "i=0; until grep -q 'holds the connection' /tmp/wait-reset.log; do
        [ \$i -lt 150 ] || exit 1; sleep 0.2; i=\$((i + 1)); done" ||
    lab_fail "wait-reset did not connect: $(lab_guest_exec guest-a "cat /tmp/wait-reset.log")"
# A module with a socket on it cannot go away under it.
lab_guest_exec guest-a "rmmod yasmin" >/dev/null && lab_fail "guest-a: rmmod yasmin succeeded with a connection open"
lab_assert_contains "$(lab_guest_exec guest-a "cat /proc/modules")" "yasmin " "guest-a: rmmod refused while a socket uses yasmin"
trap - EXIT
xl destroy guest-b
echo "ok: guest-b destroyed"
out=$(LAB_EXEC_TIMEOUT=90 lab_guest_exec guest-a "i=0; until grep -q '^exit=' /tmp/wait-reset.log; do
        [ \$i -lt 350 ] || break; sleep 0.2; i=\$((i + 1)); done; cat /tmp/wait-reset.log")
echo "$out"
lab_assert_contains "$out" "ok: recv fails with ECONNRESET" "guest-a: the connection to the dead guest is reset"
lab_assert_contains "$out" "exit=0" "guest-a: wait-reset passed"

lab_guest_exec guest-a "i=0; until [ \"\$(cat /sys/kernel/yasmin/maps_active)\" = 0 ]; do
        [ \$i -lt 50 ] || exit 1; sleep 0.2; i=\$((i + 1)); done" ||
    lab_fail "guest-a still maps guest-b's memory: $(lab_yasmin_counters guest-a)"
echo "ok: guest-a unmapped everything within 10 s: $(lab_yasmin_counters guest-a)"
lab_yasmin_wait_idle guest-a
# A closed socket holds the module until the vsock core's connect timer has fired (see
# 73-yasmin-dom0): up to the 30 s connect timeout the test program sets.
out=$(LAB_EXEC_TIMEOUT=60 lab_guest_exec guest-a "i=0; while grep -q '^yasmin ' /proc/modules; do
        [ \$i -lt 200 ] || { rmmod yasmin; grep -E '^(yasmin|vsock) ' /proc/modules; exit 1; }
        rmmod yasmin 2>/dev/null || sleep 0.2; i=\$((i + 1)); done") ||
    lab_fail "guest-a: rmmod yasmin fails with no connection left: $out"
lab_assert_not_contains "$(lab_guest_exec guest-a "cat /proc/modules")" "yasmin" "guest-a: module unloaded"
[ $leaks -eq 0 ] || lab_fail "the resource counters were not back to 'settled' (above)"
