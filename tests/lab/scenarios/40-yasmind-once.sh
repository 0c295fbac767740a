# yasmind, as installed into dom0 by `cmake --install`, reads the domain list from real libxl:
# both guests with the domids xl reports and CID = domid + 2, and dom0 as CID 2.
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
