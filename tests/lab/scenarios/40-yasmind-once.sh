# yasmind, as installed into dom0 by `cmake --install`, reads the domain list from real libxl:
# both guests with the domids xl reports and CID = domid + 2, and dom0 as CID 2.  With the
# default policy (everyone may reach everyone) it publishes each guest's view of the others
# into XenStore (docs/contract.md); a second run changes nothing.
# timeout: 60
. "$LAB_SHARE/lab/scenarios/lib.sh"

table=$(/usr/sbin/yasmind --once) || lab_fail "yasmind --once failed: $table"
echo "$table"
row() { awk -v n="$1" '$2 == n {print $1, $3}' <<<"$table"; }
lab_assert_eq "0 2" "$(row Domain-0)" "Domain-0 domid and CID"
for guest in "${LAB_GUESTS[@]}"; do
    domid=$(xl domid "$guest")
    lab_assert_eq "$domid $((domid + 2))" "$(row "$guest")" "$guest domid and CID"
done

# The views it published: guest-a sees guest-b (CID, IP from the vif's ip=), and the reverse.
a=$(xl domid guest-a) b=$(xl domid guest-b)
lab_assert_eq "$((b + 2))" "$(xenstore-read /local/domain/$a/yasmin/peers/$b/cid)" "guest-a's view: guest-b's CID"
lab_assert_eq "$((a + 2))" "$(xenstore-read /local/domain/$b/yasmin/peers/$a/cid)" "guest-b's view: guest-a's CID"
lab_assert_contains "$(xenstore-read /local/domain/$a/yasmin/peers/$b/ip)" "$(lab_guest_ip guest-b)" "guest-a's view: guest-b's IP"
generation=$(xenstore-read /local/domain/$a/yasmin/generation)
ops=$(/usr/sbin/yasmind --dry-run) || lab_fail "yasmind --dry-run failed: $ops"
lab_assert_eq "$table" "$ops" "a second pass has nothing to change (--dry-run prints only the table)"
lab_assert_eq "$generation" "$(xenstore-read /local/domain/$a/yasmin/generation)" "generation unchanged"
