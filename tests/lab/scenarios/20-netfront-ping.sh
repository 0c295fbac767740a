# The guests reach each other, and dom0, over netfront -> netback -> bridge: the path yasmin
# is measured against.
# timeout: 90
. "$LAB_SHARE/lab/scenarios/lib.sh"

ping_ok() {   # FROM_GUEST TO_IP
    local out
    out=$(lab_guest_exec "$1" "ping -A -c 5 -W 3 $2") || lab_fail "ping $1 -> $2: $out"
    lab_assert_contains "$out" "5 packets received" "ping $1 -> $2"
}

ping_ok guest-a "$(lab_guest_ip guest-b)"
ping_ok guest-b "$(lab_guest_ip guest-a)"
ping_ok guest-a "$LAB_DOM0_IP"
