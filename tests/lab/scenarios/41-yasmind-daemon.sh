# yasmind's daemon loop, as the lab runs it from the start (lab_start_yasmind: its init
# script; detached, logging to syslog, pid file /run/yasmind.pid):
#   - a destroyed guest leaves the other views, a created one appears in them, each within 1 s
#     of `xl destroy` / `xl create` returning (the figures are printed);
#   - yasminctl status shows the pair, in its table and as JSON;
#   - kill -9 and a restart (the init script's start), and the init script's restart, change
#     nothing in XenStore (values, ACLs, generations);
#   - a second yasmind refuses to start while one runs;
#   - SIGHUP (the init script's reload) re-reads the policy: `default none` withdraws every pair, a bad file is refused and
#     the policy in force stays, removing the file brings the default back;
#   - the ACLs yasmind sets hold against a guest (yasmin-xs-probe, from inside guest-a);
#   - an address guest-a announces (attr/vif/0/ipv4) reaches the views only once the policy
#     trusts guest-a, and its claim of guest-b's address never does.
# Leaves guest-a and guest-b running (guest-b at a new domid) and yasmind running.
# timeout: 400
. "$LAB_SHARE/lab/scenarios/lib.sh"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
pid_of_yasmind() { cat "$LAB_YASMIND_PIDFILE"; }
# yasmind_tree : every node below /local/domain/*/yasmin with its value and ACL.
yasmind_tree() { xenstore-ls -f -p /local/domain | grep '^/local/domain/[0-9]*/yasmin'; }
# wait_until SECONDS CONDITION... : polls CONDITION every 20 ms.
wait_until() {
    local limit=$1 start; shift
    start=$(now)
    until "$@"; do
        awk -v s="$start" -v n="$(now)" -v l="$limit" 'BEGIN { exit !(n - s < l) }' || return 1
        sleep 0.02
    done
}
in_view() { xenstore-exists "/local/domain/$1/yasmin/peers/$2"; }
not_in_view() { ! in_view "$@"; }

kill -0 "$(pid_of_yasmind)" || lab_fail "yasmind (pid $(pid_of_yasmind)) is not running"
a=$(lab_domid guest-a) b=$(lab_domid guest-b)
lab_yasmin_pair guest-a guest-b >/dev/null
echo "ok: yasmind (pid $(pid_of_yasmind)) published guest-a ($a) <-> guest-b ($b)"

echo "=== a guest dies: it leaves the views"
xl destroy guest-b
t0=$(now)
wait_until 5 not_in_view "$a" "$b" || lab_fail "guest-b ($b) still in guest-a's view 5 s after xl destroy"
t1=$(now)
wait_until 5 not_in_view 0 "$b" || lab_fail "guest-b still in dom0's view"
xenstore-exists "/local/domain/$a/yasmin/rendezvous/$b" &&
    lab_fail "guest-a's rendezvous directory for the dead guest-b is still there"
gone=$(elapsed "$t0" "$t1")
echo "figure: guest-b left guest-a's view ${gone} s after xl destroy returned"
# Judged at the end, so that a slow run still leaves guest-b re-created for what follows.
late=()
awk -v d="$gone" 'BEGIN { exit !(d < 1) }' || late+=("guest-b left the views after ${gone} s, not within 1 s")

echo "=== a guest is created: it appears in the views"
mkdir -p "$LAB_RUN"
lab_guest_config guest-b >"$LAB_RUN/guest-b.cfg"
peers_before=$(xenstore-list "/local/domain/$a/yasmin/peers" | paste -sd' ')
peers_changed() { [ "$(xenstore-list "/local/domain/$a/yasmin/peers" | paste -sd' ')" != "$peers_before" ]; }
xl create "$LAB_RUN/guest-b.cfg"
t0=$(now)
# Timed on guest-a's view alone (`xl domid` is slow under emulation); then the whole pair.
wait_until 5 peers_changed || lab_fail "guest-a's view did not change within 5 s of xl create"
t1=$(now)
b=$(lab_domid guest-b)
wait_until 5 lab_yasmin_pair_ready "$a" "$b" || lab_fail "guest-b ($b) not published 5 s after xl create"
came=$(elapsed "$t0" "$t1")
echo "figure: guest-b ($b) appeared in guest-a's view ${came} s after xl create returned"
awk -v d="$came" 'BEGIN { exit !(d < 1) }' || late+=("guest-b appeared after ${came} s, not within 1 s")
lab_assert_eq "$((a + 2))" "$(xenstore-read "/local/domain/$b/yasmin/peers/$a/cid")" "guest-b's view: guest-a's CID"
lab_assert_contains "$(xenstore-read "/local/domain/$a/yasmin/peers/$b/ip")" "$(lab_guest_ip guest-b)" "guest-a's view: guest-b's IP"
lab_assert_eq "n$a,r$b" "$(lab_xs_perms "/local/domain/$a/yasmin/rendezvous/$b")" "ACL of guest-a's rendezvous for guest-b"
lab_assert_eq "n0,r$b" "$(lab_xs_perms "/local/domain/$b/yasmin/peers")" "ACL of guest-b's view"
yasmin-lab-agent wait -t 120 "$(lab_guest_ip guest-b)" || lab_fail "guest-b: agent did not answer"
echo "ok: guest-b is up again as domid $b"

echo "=== yasminctl status"
status=$(yasminctl status) || lab_fail "yasminctl status failed: $status"
echo "$status"
lab_assert_contains "$status" "guest-a ($a) <-> guest-b ($b)" "yasminctl status: the pair"
lab_assert_not_contains "$status" "one-sided" "yasminctl status: no one-sided pair"
json=$(yasminctl status --json) || lab_fail "yasminctl status --json failed: $json"
lab_assert_contains "$json" '"guest-b"' "yasminctl status --json names guest-b"

echo "=== kill -9 and restart: nothing changes"
before=$(yasmind_tree)
old_pid=$(pid_of_yasmind)
kill -9 "$old_pid"
while kill -0 "$old_pid" 2>/dev/null; do sleep 0.05; done
/etc/init.d/yasmind start || lab_fail "yasmind did not start again after kill -9 (stale pid file?)"
new_pid=$(pid_of_yasmind)
[ "$new_pid" != "$old_pid" ] || lab_fail "the pid file still names the killed yasmind"
sleep 1
after=$(yasmind_tree)
lab_assert_eq "$before" "$after" "every yasmind node, value and ACL after kill -9 and a restart"
grep "yasmind\[$new_pid\]" /var/log/messages | tail -n 5
grep -q "yasmind\[$new_pid\]: published" /var/log/messages &&
    lab_fail "the restarted yasmind wrote to XenStore"
echo "ok: the restarted yasmind (pid $new_pid) found everything in place ($(wc -l <<<"$after") nodes)"

out=$(yasmind 2>&1) && lab_fail "a second yasmind started: $out"
lab_assert_contains "$out" "another yasmind is running (pid $new_pid)" "a second yasmind refuses"

/etc/init.d/yasmind restart || lab_fail "/etc/init.d/yasmind restart failed"
kill -0 "$new_pid" 2>/dev/null && lab_fail "the init script's restart left the old yasmind running"
new_pid=$(pid_of_yasmind)
kill -0 "$new_pid" || lab_fail "no yasmind after the init script's restart"
sleep 1
lab_assert_eq "$before" "$(yasmind_tree)" "every yasmind node, value and ACL after the init script's restart"
echo "ok: /etc/init.d/yasmind restart: pid $new_pid, nothing changed"

echo "=== SIGHUP re-reads the policy"
mkdir -p /etc/yasmin
generation=$(xenstore-read "/local/domain/$a/yasmin/generation")
echo "default none" >/etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload || lab_fail "/etc/init.d/yasmind reload failed"
wait_until 5 not_in_view "$a" "$b" || lab_fail "default none: guest-a still sees guest-b"
wait_until 5 not_in_view "$b" "$a" || lab_fail "default none: guest-b still sees guest-a"
xenstore-exists "/local/domain/$a/yasmin/rendezvous/$b" && lab_fail "default none: the rendezvous stayed"
[ "$(xenstore-read "/local/domain/$a/yasmin/generation")" -gt "$generation" ] ||
    lab_fail "guest-a's view changed but its generation did not move"
echo "ok: default none withdrew the pair (generation $generation -> $(xenstore-read "/local/domain/$a/yasmin/generation"))"
printf 'allow nobody nobody\n' >/etc/yasmin/yasmind.conf
kill -HUP "$new_pid"
wait_until 5 grep -q "yasmind\[$new_pid\]: error: configuration not reloaded" /var/log/messages ||
    lab_fail "a bad configuration on SIGHUP was not reported"
not_in_view "$a" "$b" || lab_fail "a bad configuration changed the views"
kill -0 "$new_pid" || lab_fail "yasmind died on a bad configuration"
echo "ok: a bad configuration is refused and logged; the policy in force stays"
rm /etc/yasmin/yasmind.conf
kill -HUP "$new_pid"
lab_yasmin_pair guest-a guest-b >/dev/null
echo "ok: without a configuration file the default (all) is back"

echo "=== the ACLs hold against a guest (from inside guest-a, domid $a)"
probe() { lab_guest_exec guest-a "yasmin-xs-probe $*" || true; }
expect_denied() {
    local out
    out=$(probe "$@")
    lab_assert_contains "$out" "denied: EACCES" "guest-a: $*"
}
expect_denied ls "/local/domain/$b/yasmin/peers"
expect_denied read "/local/domain/$b/yasmin/generation"
expect_denied ls "/local/domain/0/yasmin/peers"
expect_denied write "/local/domain/$b/yasmin/rendezvous/$a/forged" x
expect_denied write "/local/domain/$a/yasmin/peers/$b/cid" 99
expect_denied write "/local/domain/$a/yasmin/generation" 7
expect_denied write "/local/domain/$a/yasmin/peers/$b/ip" 10.0.0.66
expect_denied rm "/local/domain/$a/yasmin/peers/$b"
expect_denied write "/local/domain/$a/yasmin/rendezvous/forged" x
lab_assert_eq "0 $b" "$(probe ls "/local/domain/$a/yasmin/peers" | sort -n | paste -sd' ')" "guest-a reads its own view (dom0 and guest-b)"
lab_assert_eq "$((b + 2))" "$(probe read "/local/domain/$a/yasmin/peers/$b/cid")" "guest-a reads guest-b's CID"
out=$(probe write "/local/domain/$a/yasmin/rendezvous/$b/probe" hello)
lab_assert_eq "" "$out" "guest-a writes into its own rendezvous directory for guest-b"
lab_assert_eq "hello" "$(lab_guest_exec guest-b "yasmin-xs-probe read /local/domain/$a/yasmin/rendezvous/$b/probe")" \
    "guest-b reads what guest-a wrote for it"
probe rm "/local/domain/$a/yasmin/rendezvous/$b/probe" >/dev/null
echo "ok: 9 writes and reads refused, the allowed ones work"

echo "=== addresses a guest announces: ignored unless the policy trusts it"
a_ip=$(lab_guest_ip guest-a) b_ip=$(lab_guest_ip guest-b)
a_in_b_view() { xenstore-read "/local/domain/$b/yasmin/peers/$a/ip"; }
out=$(probe write "/local/domain/$a/attr/vif/0/ipv4/0" 10.99.0.211)
lab_assert_eq "" "$out" "guest-a announces 10.99.0.211 in its attr/vif/0/ipv4/0"
probe write "/local/domain/$a/attr/vif/0/ipv4/1" "$b_ip" >/dev/null  # and claims guest-b's
/etc/init.d/yasmind reload >/dev/null
sleep 1
lab_assert_eq "$a_ip" "$(a_in_b_view)" "without guest-addresses, guest-b's view has only guest-a's ip= address"
printf 'group trusted name:guest-a\nguest-addresses trusted\n' >/etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload >/dev/null
announced() { [[ "$(a_in_b_view)" == *10.99.0.211* ]]; }
wait_until 5 announced || lab_fail "guest-addresses trusted: the announced address is not in guest-b's view: $(a_in_b_view)"
lab_assert_not_contains "$(a_in_b_view)" "$b_ip" "guest-a's claim of guest-b's (dom0-given) address is dropped"
lab_assert_contains "$(a_in_b_view)" "$a_ip" "guest-a's ip= address stays"
grep "yasmind\[$new_pid\]" /var/log/messages | grep -i "address" | tail -n 2
echo "ok: a trusted guest's own address is published, its claim of another's is not"
rm /etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload >/dev/null
not_announced() { ! announced; }
wait_until 5 not_announced || lab_fail "the announced address stayed after the policy went"
probe rm "/local/domain/$a/attr/vif" >/dev/null
echo "ok: without the policy line it is gone again"

sleep 0.5
kill -0 "$new_pid" || lab_fail "yasmind died"
echo "ok: yasmind (pid $new_pid) still running"
[ ${#late[@]} -eq 0 ] || lab_fail "${late[*]}"
echo "ok: guest-b left and joined the views within 1 s"
