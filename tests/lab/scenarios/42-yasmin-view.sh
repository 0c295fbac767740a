# The view yasmin.ko serves to unprivileged processes, /proc/net/yasmin_view (docs/contract.md):
#   - mode 0444, readable by nobody; "generation N domid D" with XenStore's generation and the
#     guest's domid, then one "<address> <cid>" line per address of each peer (guest-b's IP
#     and CID; dom0 has no address, so no line), in guest-a and in guest-b;
#   - dom0 writes values that do not parse: they are dropped, the rest is served, then the
#     original is written back and served again;
#   - yasmind's policy `default none` (reload) empties the view, and removing the policy file
#     brings the line back, each within 2 s of the reload, with the generation moving;
#   - xl save -c (checkpoint, .thaw: same domid) and xl save + xl restore (.restore: a new
#     domid) of guest-b: its file shows its domid and its view again, guest-a's shows guest-b's
#     new CID;
#   - the module logs nothing else about the view, and unloads cleanly.
# Leaves guest-b running at a new domid.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"
. "$LAB_SHARE/lab/scenarios/lib-move.sh"

VIEW=/proc/net/yasmin_view
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
view() { lab_guest_exec "$1" "cat $VIEW"; }
generation_in_xs() { xenstore-read "/local/domain/$1/yasmin/generation"; }
# until_view GUEST AWK_CONDITION : polls GUEST's file every 50 ms, up to 10 s, in the guest
# itself, until the awk condition holds for the whole file (gen: the first line's
# generation, lines: the number of lines); prints the file as last read.
until_view() {
    lab_guest_exec "$1" "i=0; while :; do v=\$(cat $VIEW)
        echo \"\$v\" | awk 'NR == 1 { gen = \$2 } END { lines = NR; exit !($2) }' && break
        [ \$i -ge 200 ] && break; sleep 0.05; i=\$((i + 1)); done; echo \"\$v\""
}

was_loaded() { lab_guest_exec "$1" "grep -q '^yasmin ' /proc/modules"; }
unload=()
for guest in guest-a guest-b; do was_loaded "$guest" || unload+=("$guest"); done
cleanup() {
    rm -f /etc/yasmin/yasmind.conf
    /etc/init.d/yasmind reload >/dev/null 2>&1 || true
    for guest in "${unload[@]}"; do lab_guest_exec "$guest" "rmmod yasmin" || true; done
}
trap cleanup EXIT

a=$(lab_domid guest-a) b=$(lab_domid guest-b)
lab_yasmin_pair guest-a guest-b >/dev/null
lab_yasmin_load guest-a guest-b
ip_b=$(lab_guest_ip guest-b) cid_b=$(lab_cid guest-b)
ip_a=$(lab_guest_ip guest-a) cid_a=$(lab_cid guest-a)

echo "=== the file, as root and as nobody"
lab_assert_eq "444 0 0" "$(lab_guest_exec guest-a "stat -L -c '%a %u %g' $VIEW")" "guest-a: mode and owner of $VIEW"
out=$(view guest-a)
echo "$out"
gen=$(generation_in_xs "$a")
lab_assert_eq "generation $gen domid $a
$ip_b $cid_b" "$out" "guest-a's view: XenStore's generation, its domid, guest-b's address and CID, no line for dom0"
# busybox su needs a passwd entry; the guests' initramfs has no /etc/passwd.
nobody=$(lab_guest_exec guest-a "mkdir -p /etc
    grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
    grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >>/etc/group
    su -s /bin/sh nobody -c 'id -u; cat $VIEW'") ||
    lab_fail "su nobody failed: $nobody"
lab_assert_eq "65534
$out" "$(head -n 3 <<<"$nobody")" "guest-a: nobody (uid 65534) reads the same view"
out=$(view guest-b)
lab_assert_eq "generation $(generation_in_xs "$b") domid $b
$ip_a $cid_a" "$out" "guest-b's view: guest-a's address and CID"

echo "=== values that do not parse are dropped (dom0 writes them), the rest is served"
peer=/local/domain/$a/yasmin/peers/$b
orig_ip=$(xenstore-read "$peer/ip") orig_gen=$(generation_in_xs "$a")
bad_gen=$((orig_gen + 1000))
xenstore-write "$peer/ip" "banana $ip_b 010.99.0.12 fe80::1%eth0 fd00::12" "/local/domain/$a/yasmin/generation" "$bad_gen"
out=$(until_view guest-a "gen == $bad_gen")
echo "$out"
if [ "$(head -n 1 <<<"$out")" = "generation $bad_gen domid $a" ]; then
    lab_assert_eq "generation $bad_gen domid $a
$ip_b $cid_b
fd00::12 $cid_b" "$out" "guest-a: only the addresses that parse"
else
    # yasmind's read-back every 60 s may have repaired the view first.
    [ "$(generation_in_xs "$a")" != "$bad_gen" ] || lab_fail "guest-a did not read generation $bad_gen"
    echo "note: yasmind repaired the view before guest-a read it; not checked"
fi
xenstore-write "$peer/cid" "$((cid_b + 1))" "/local/domain/$a/yasmin/generation" "$((bad_gen + 1))"
out=$(until_view guest-a "gen == $((bad_gen + 1))")
if [ "$(head -n 1 <<<"$out")" = "generation $((bad_gen + 1)) domid $a" ]; then
    lab_assert_eq "generation $((bad_gen + 1)) domid $a" "$out" "guest-a: a peer whose cid is not its CID is dropped"
fi
# Back to exactly what yasmind wrote, which is what it believes XenStore holds.
xenstore-write "$peer/ip" "$orig_ip" "$peer/cid" "$cid_b" "/local/domain/$a/yasmin/generation" "$orig_gen"
out=$(until_view guest-a "gen == $orig_gen && lines == 2")
lab_assert_eq "generation $orig_gen domid $a
$ip_b $cid_b" "$out" "guest-a: the view as yasmind wrote it, again"
lab_assert_contains "$(lab_guest_exec guest-a "dmesg | grep 'yasmin: view'")" "dropped" "guest-a: the dropped values are logged"

echo "=== yasmind's policy: default none, then the default again"
mkdir -p /etc/yasmin
before=$(generation_in_xs "$a")
echo "default none" >/etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload || lab_fail "/etc/init.d/yasmind reload failed"
t0=$(now)
out=$(until_view guest-a "lines == 1 && gen != $before")
t1=$(now)
echo "$out"
took=$(elapsed "$t0" "$t1")
none_gen=$(sed -n '1s/^generation \([0-9]*\) .*/\1/p' <<<"$out")
lab_assert_eq "generation $none_gen domid $a" "$out" "default none: guest-a's view has no peer"
[ "$none_gen" -gt "$before" ] || lab_fail "default none: generation $none_gen, not above $before"
lab_assert_eq "$(generation_in_xs "$a")" "$none_gen" "default none: the generation is XenStore's"
echo "figure: guest-a's file emptied ${took} s after the reload returned"
awk -v d="$took" 'BEGIN { exit !(d < 2) }' || lab_fail "the view emptied after ${took} s, not within 2 s"

rm /etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload || lab_fail "/etc/init.d/yasmind reload failed"
t0=$(now)
out=$(until_view guest-a "lines == 2 && gen != $none_gen")
t1=$(now)
echo "$out"
took=$(elapsed "$t0" "$t1")
back_gen=$(sed -n '1s/^generation \([0-9]*\) .*/\1/p' <<<"$out")
lab_assert_eq "generation $back_gen domid $a
$ip_b $cid_b" "$out" "default all again: guest-b's line is back"
[ "$back_gen" -gt "$none_gen" ] || lab_fail "default all: generation $back_gen, not above $none_gen"
echo "figure: guest-b's line came back ${took} s after the reload returned"
awk -v d="$took" 'BEGIN { exit !(d < 2) }' || lab_fail "the line came back after ${took} s, not within 2 s"
lab_yasmin_pair guest-a guest-b >/dev/null

echo "=== guest-b saved and resumed: its file follows the domid"
# expect_view GUEST PEER : GUEST's file, once it shows XenStore's generation for its domid,
# is that line and PEER's address and CID.
expect_view() {
    local domid gen out
    domid=$(lab_domid "$1")
    lab_yasmin_pair guest-a guest-b >/dev/null
    gen=$(generation_in_xs "$domid")
    out=$(until_view "$1" "gen == $gen && lines == 2")
    lab_assert_eq "generation $gen domid $domid
$(lab_guest_ip "$2") $(lab_cid "$2")" "$out" "$1 (domid $domid): its view"
}
lab_save_checkpoint guest-b
lab_assert_eq "$LAB_MOVE_OLD_DOMID" "$(lab_domid guest-b)" "xl save -c: guest-b's domid is unchanged"
expect_view guest-b guest-a
lab_save_restore guest-b
[ "$LAB_MOVE_NEW_DOMID" != "$LAB_MOVE_OLD_DOMID" ] || lab_fail "xl restore: guest-b kept domid $LAB_MOVE_OLD_DOMID"
lab_assert_contains "$(lab_guest_exec guest-b "cat /proc/modules")" "yasmin " "guest-b: yasmin still loaded after the restore"
expect_view guest-b guest-a
expect_view guest-a guest-b
lab_assert_contains "$(lab_guest_exec guest-b "dmesg | grep 'yasmin: resumed'")" "domid $LAB_MOVE_NEW_DOMID" "guest-b: yasmin resumed at the new domid"

echo "=== nothing else logged; unloading"
for guest in guest-a guest-b; do
    log=$(lab_guest_exec "$guest" "dmesg | grep 'yasmin: view' | grep -v 'dropped' || true")
    lab_assert_eq "" "$log" "$guest: no other view message in the kernel log"
done
for guest in "${unload[@]}"; do
    lab_guest_exec "$guest" "rmmod yasmin && ! test -e $VIEW" || lab_fail "$guest: rmmod yasmin"
    echo "ok: $guest: yasmin unloaded, $VIEW gone"
done
unload=()
