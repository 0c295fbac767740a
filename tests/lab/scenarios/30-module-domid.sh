# yasmin.ko, as installed by `make module_install`, loads in both guests, reports the domid
# the guest reads from XenStore (checked against dom0's own view), and unloads cleanly.
# timeout: 120
. "$LAB_SHARE/lab/scenarios/lib.sh"

for guest in "${LAB_GUESTS[@]}"; do
    domid=$(xl domid "$guest")
    lab_guest_exec "$guest" "modprobe yasmin" || lab_fail "$guest: modprobe yasmin failed"
    lab_assert_eq "$domid" "$(lab_guest_exec "$guest" "cat /sys/kernel/yasmin/domid")" "$guest module domid"
    lab_assert_eq "$((domid + 2))" "$(lab_guest_exec "$guest" "cat /sys/kernel/yasmin/cid")" "$guest module CID"
    lab_assert_contains "$(lab_guest_exec "$guest" "dmesg")" \
        "yasmin: loaded in domid $domid, vsock CID $((domid + 2))" "$guest kernel log"

    lab_guest_exec "$guest" "rmmod yasmin" || lab_fail "$guest: rmmod yasmin failed"
    lab_assert_not_contains "$(lab_guest_exec "$guest" "cat /proc/modules")" "yasmin" "$guest module gone"
    lab_guest_exec "$guest" "test ! -e /sys/kernel/yasmin" || lab_fail "$guest: /sys/kernel/yasmin left behind"
    lab_assert_contains "$(lab_guest_exec "$guest" "dmesg | tail -n 5")" "yasmin: unloaded" "$guest unload logged"
done
