# Both standard guests run under Xen, each with the address dom0 gave its netfront vif.
# timeout: 60
. "$LAB_SHARE/lab/scenarios/lib.sh"

for guest in "${LAB_GUESTS[@]}"; do
    state=$(xl list "$guest" | awk 'NR == 2 {print $5}')
    case "$state" in *r*|*b*) echo "ok: $guest state $state" ;; *) lab_fail "$guest state '$state'" ;; esac
    addr=$(lab_guest_exec "$guest" "ip -4 -o addr show dev eth0")
    lab_assert_contains "$addr" "inet $(lab_guest_ip "$guest")/24" "$guest eth0 address"
    kernel=$(lab_guest_exec "$guest" "uname -r")
    lab_assert_eq "$(uname -r)" "$kernel" "$guest runs the lab kernel"
done
