# A PVH guest (HVM container, no PV MMU) runs next to the PV guests, reaches them over
# netfront, and yasmin.ko reads its domid there too; the guest is destroyed afterwards.
# timeout: 240
. "$LAB_SHARE/lab/scenarios/lib.sh"

xl info | grep -q '^virt_caps.*hvm' || lab_fail "Xen offers no HVM (emulated CPU without SVM?)"
lab_start_guests guest-pvh
trap 'xl destroy guest-pvh 2>/dev/null' EXIT

lab_assert_contains "$(lab_guest_exec guest-pvh dmesg)" "Booting kernel on Xen PVH" "guest-pvh boots as PVH"
out=$(lab_guest_exec guest-pvh "ping -A -c 3 -W 3 $(lab_guest_ip guest-a)") || lab_fail "ping pvh -> guest-a: $out"
lab_assert_contains "$out" "3 packets received" "ping guest-pvh -> guest-a"

domid=$(xl domid guest-pvh)
lab_guest_exec guest-pvh "modprobe yasmin" || lab_fail "modprobe yasmin failed in the PVH guest"
lab_assert_eq "$domid" "$(lab_guest_exec guest-pvh "cat /sys/kernel/yasmin/domid")" "guest-pvh module domid"
lab_guest_exec guest-pvh "rmmod yasmin" || lab_fail "rmmod yasmin failed in the PVH guest"

xl destroy guest-pvh
trap - EXIT
if xl domid guest-pvh >/dev/null 2>&1; then lab_fail "guest-pvh still exists after xl destroy"; fi
echo "ok: guest-pvh destroyed"
