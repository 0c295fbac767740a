# A hostile peer, proven: guest-a loads yasmin_hostile.ko (the lab-only build of yasmin with an
# attack interface, guest-kmod/hostile.c) and corrupts, one attack at a time, the rings, control
# messages, control ring and doorbells it shares with guest-b, which runs the ordinary yasmin.ko.
# For every attack on a connection X of guest-b's: X fails with ECONNRESET at once (a reader
# blocked in recv wakes up) and the violation is counted, or, for what the contract makes
# harmless (wake-up flags, the descriptor's constant part, doorbell bits and storms), X keeps
# moving verified data; a second connection Y moves verified data meanwhile.  An attack on the
# control ring takes the whole channel down (every connection with guest-a reset), and the
# channel comes back.  At the end guest-a gets yasmin.ko back and guest-b's grants, mappings,
# event channels and connections are back where they were before the first attack.
# timeout: 900
. "$LAB_SHARE/lab/scenarios/lib.sh"

attacker=guest-a victim=guest-b
port_a=5181		# the attacker's server: X and Y are the victim's connections to it
port_b=5182		# the victim's server: the attacker's bad REQUESTs go there
ATTACK=/sys/kernel/debug/yasmin_hostile/attack
failures=()

# A check that fails is recorded and the attacks go on; the scenario fails at the end.
check() {   # STATUSES WHAT [DETAIL] : passes if STATUSES is all zeros (from st)
    if [ -z "${1//0/}" ]; then echo "ok: $2"; else echo "FAIL: $2${3:+: $3}"; failures+=("$2"); fi
}

# Unloads yasmin.ko or yasmin_hostile.ko from DOMAIN: a closed socket holds the module until
# the vsock core's connect timer fired (see 76-yasmin-teardown), so retry for up to 60 s.
unload() {   # DOMAIN MODULE
    LAB_EXEC_TIMEOUT=90 lab_exec "$1" "i=0; while grep -q '^$2 ' /proc/modules; do
        [ \$i -lt 300 ] || { rmmod $2; exit 1; }
        rmmod $2 2>/dev/null || sleep 0.2; i=\$((i + 1)); done" ||
        lab_fail "$1: rmmod $2 fails with no connection left"
}

# st COMMAND... : 0 if COMMAND succeeds, else 1 (for check, under set -e).
st() { if "$@"; then echo 0; else echo 1; fi; }

stat_b() { lab_exec $victim "cat /sys/kernel/yasmin/$1"; }
uptime_b() { lab_exec $victim "cut -d' ' -f1 /proc/uptime"; }

attack() {   # COMMAND... : one attack from guest-a; its outcome in $attack_out
    attack_out=$(lab_exec $attacker "echo '$*' >$ATTACK; cat $ATTACK") ||
        lab_fail "attack '$*': $attack_out"
    case "$attack_out" in ok*) ;; *) lab_fail "attack '$*' was not carried out: $attack_out" ;; esac
    echo "attack: $*: $attack_out"
}

# The victim's connections to the attacker's server on port_a, as the attacker sees them: the
# victim's ports (the attacker's /proc/net/yasmin: peer local_port remote_port state ...).
x_snapshot() { x_before=$(lab_exec $attacker "$(x_ports_cmd) | tr '\n' ' '"); }
x_ports_cmd() {
    echo "awk -v d=$b_domid -v p=$port_a '\$1 == d && \$2 == p && \$4 == \"established\" { print \$3 }' /proc/net/yasmin"
}
# X's port: the one connection that was not there at x_snapshot (connections the attacker
# itself abandoned, e.g. after sending a RESET in its name, stay in its table).
x_port() {
    lab_exec $attacker "i=0; while :; do
        p=\$($(x_ports_cmd) | grep -vxF -e 0 $(for q in $x_before; do printf ' -e %s' "$q"; done))
        [ -n \"\$p\" ] || [ \$i -ge 100 ] && break; sleep 0.1; i=\$((i + 1)); done
        [ \$(echo \"\$p\" | grep -c .) = 1 ] && echo \$p"
}

# X, a reader: the victim holds a connection to the attacker and waits in recv (wait-reset).
x_open_reader() {   # LOG
    x_snapshot
    lab_exec $victim "(yasmin-vsock-test wait-reset $a_cid $port_a
        echo \"exit=\$? at \$(cut -d' ' -f1 /proc/uptime)\") >$1 2>&1 &"
    lab_exec $victim "i=0; until grep -q 'holds the connection' $1; do
        [ \$i -lt 150 ] || exit 1; sleep 0.1; i=\$((i + 1)); done" ||
        lab_fail "wait-reset did not connect: $(lab_exec $victim "cat $1")"
}

# X, a transfer both ways: BYTES each way, verified (stream).
x_open_stream() {   # LOG BYTES
    x_snapshot
    lab_exec $victim "(yasmin-vsock-test stream $a_cid $port_a $2 --timeout 200
        echo \"exit=\$? at \$(cut -d' ' -f1 /proc/uptime)\") >$1 2>&1 &"
}

# Waits up to SECONDS for the program logging to LOG in the victim to end; prints the log.
wait_log() {   # LOG SECONDS
    LAB_EXEC_TIMEOUT=$(($2 + 30)) lab_exec $victim "i=0; until grep -q '^exit=' $1; do
        [ \$i -lt $(($2 * 10)) ] || break; sleep 0.1; i=\$((i + 1)); done; cat $1"
}

# How long after STARTED (victim uptime) the program logging to LOG ended.
ended_after() {   # LOG-TEXT STARTED
    awk -v a="$2" '/^exit=/ { printf "%.2f", $3 - a; found = 1 } END { if (!found) print "never" }' <<<"$1"
}

# Y: a healthy connection next to X, moving verified data in both directions.
y_start() { x_open_stream /tmp/hostile-y.log $((256 << 20)); }
y_check() {   # WHAT
    local out; out=$(wait_log /tmp/hostile-y.log 120)
    if grep -q '^exit=0' <<<"$out" && grep -q 'server->client: every byte verified' <<<"$out"; then
        check 0 "$1: Y moved 256 MiB each way, verified ($(grep -o 'MBps_each_way=[0-9.]*' <<<"$out"))"
    else
        check 1 "$1: Y moved its data" "$out"
    fi
}

# --- set-up ----------------------------------------------------------------------------------
lab_yasmin_pair $attacker $victim
lab_yasmin_load $victim
unload $attacker yasmin
lab_exec $attacker "modprobe yasmin_hostile && { grep -q ' /sys/kernel/debug ' /proc/mounts ||
    mount -t debugfs debugfs /sys/kernel/debug; } && test -w $ATTACK" ||
    lab_fail "$attacker: yasmin_hostile.ko does not load"
echo "ok: $attacker runs yasmin_hostile.ko: $(lab_exec $attacker "grep -E '^yasmin' /proc/modules")"
b_domid=$(lab_domid $victim)
a_cid=$(lab_cid $attacker)
trap 'lab_vsock_stop $attacker $port_a; lab_vsock_stop $victim $port_b' EXIT
lab_vsock_serve $attacker $port_a
lab_vsock_serve $victim $port_b

# The hostile build works as yasmin does; then the victim's counters with the channel up and
# no connection are what every attack must come back to.
lab_vsock_test $victim stream "$a_cid" $port_a $((16 << 20))
lab_yasmin_wait_idle $victim
lab_yasmin_save $victim hostile-before
echo "victim violations before: $(stat_b protocol_violations)"

# --- data rings: a reader blocked in recv is woken by the reset --------------------------------
for kind in prod-ahead prod-far prod-back prod-random; do
    v0=$(stat_b protocol_violations)
    x_open_reader /tmp/hostile-x.log
    xp=$(x_port) || lab_fail "no connection X on $attacker"
    y_start
    t0=$(uptime_b)
    attack "$kind $b_domid $port_a $xp 200"
    out=$(wait_log /tmp/hostile-x.log 20)
    check "$(st grep -q 'ok: recv fails with ECONNRESET' <<<"$out")" "$kind: the victim's blocked reader gets ECONNRESET ($(ended_after "$out" "$t0") s after the attack)" "$out"
    y_check "$kind"
    v1=$(stat_b protocol_violations)
    check "$(st [ "$v1" -gt "$v0" ])" "$kind: protocol_violations $v0 -> $v1"
done

# --- data rings: the cons index the attacker writes in the victim's ring -------------------------
for kind in cons-ahead cons-back cons-random; do
    v0=$(stat_b protocol_violations)
    x_open_stream /tmp/hostile-x.log $((64 << 30))
    xp=$(x_port) || lab_fail "no connection X on $attacker"
    y_start
    t0=$(uptime_b)
    attack "$kind $b_domid $port_a $xp 1000"
    out=$(wait_log /tmp/hostile-x.log 20)
    check "$(st grep -q 'ECONNRESET' <<<"$out")" "$kind: the victim's transfer fails with ECONNRESET ($(ended_after "$out" "$t0") s after the attack)" "$out"
    y_check "$kind"
    v1=$(stat_b protocol_violations)
    check "$(st [ "$v1" -gt "$v0" ])" "$kind: protocol_violations $v0 -> $v1"
done

# --- harmless by contract: X keeps working -------------------------------------------------------
# LABEL ATTACK... (ATTACK with X for the victim's port of X)
survive() {
    local label=$1; shift
    local v0 v1 out xp cmd
    v0=$(stat_b protocol_violations)
    x_open_stream /tmp/hostile-x.log $((2 << 30))
    xp=$(x_port) || lab_fail "no connection X on $attacker"
    y_start
    cmd=$*
    attack "${cmd//X/$xp}"
    out=$(wait_log /tmp/hostile-x.log 200)
    check "$(st grep -q '^exit=0' <<<"$out")$(st grep -q 'server->client: every byte verified' <<<"$out")" "$label: X still moves 2 GiB each way, verified ($(grep -o 'MBps_each_way=[0-9.]*' <<<"$out"))" "$out"
    y_check "$label"
    v1=$(stat_b protocol_violations)
    survive_violations=$((v1 - v0))
}

survive "wake-up flags" wanted $b_domid $port_a X 300
check "$(st [ $survive_violations -eq 0 ])" "wake-up flags: no violation counted ($survive_violations)"
survive "descriptor layout" layout $b_domid $port_a X 100
check "$(st [ $survive_violations -eq 0 ])" "descriptor layout: no violation counted ($survive_violations)"
survive "malformed control messages" malformed $b_domid $port_a X
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$attack_out")
check "$(st [ "$survive_violations" = "$sent" ])" "malformed control messages: each of the $sent counted as a violation and dropped ($survive_violations)"

# Doorbell storms: the attacker rings in a tight loop while X and Y run.
for kind in all random summary stray; do
    irq0=$(lab_exec $victim "awk '/yasmin/ { n += \$2 } END { print n + 0 }' /proc/interrupts")
    survive "doorbell storm ($kind)" storm $b_domid $kind 100000
    irq1=$(lab_exec $victim "awk '/yasmin/ { n += \$2 } END { print n + 0 }' /proc/interrupts")
    echo "storm $kind: $attack_out; victim's yasmin interrupts $irq0 -> $irq1"
    check "$(st [ $survive_violations -eq 0 ])" "doorbell storm ($kind): no violation counted ($survive_violations)"
done
survive "random doorbell page" db-random $b_domid 20000
check "$(st [ $survive_violations -eq 0 ])" "random doorbell page: no violation counted ($survive_violations)"
# A doorbell rung without an event: the summary word set and never announced, so no ring of
# the attacker's (its own data path's included) sends an event again until the victim's
# doorbell rescue (guest-kmod/peer.c, yasmin_peer_rescue) collects it.  The victim receives
# a 16 MiB echo through that all the same, and counts the rescue.
rescues_b() {
    lab_yasmin_peer_field $victim doorbell_rescues "$(lab_domid $attacker)"
}
rescues0=$(rescues_b)
attack "storm $b_domid silent 1"
lab_vsock_test $victim stream "$a_cid" $port_a $((16 << 20))
rescues1=$(rescues_b)
check "$(st [ "${rescues1:-0}" -gt "${rescues0:-0}" ])" \
    "silent doorbell: 16 MiB echoed to the victim, its rescue collected the bell ($rescues0 -> $rescues1 rescues)"
# The victim answers while a storm goes on.
lab_exec $attacker "(echo 'storm $b_domid all 400000' >$ATTACK; cat $ATTACK) >/tmp/storm.log 2>&1 &"
sleep 1
started=$(date +%s.%N)
lab_vsock_test $victim stream "$a_cid" $port_a $((16 << 20))
echo "during a storm: a new 16 MiB stream from the victim took $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
lab_exec $attacker "i=0; until [ -s /tmp/storm.log ]; do [ \$i -lt 600 ] || exit 1; sleep 0.2; i=\$((i + 1)); done; cat /tmp/storm.log"

# --- REQUESTs whose ring cannot be mapped -------------------------------------------------------
for kind in random-ref foreign-ref bad-magic nr-pages-0 nr-pages-3 nr-pages-1024 bad-data-ref; do
    v0=$(stat_b protocol_violations) r0=$(stat_b resets_sent)
    attack "request $b_domid $port_b $kind"
    check "$(st lab_exec $victim "i=0; until [ \$(cat /sys/kernel/yasmin/resets_sent) -gt $r0 ]; do
        [ \$i -lt 100 ] || exit 1; sleep 0.1; i=\$((i + 1)); done")" "REQUEST with $kind: refused (the victim answered RESET)"
    v1=$(stat_b protocol_violations)
    case $kind in
    bad-magic|nr-pages-*) check "$(st [ "$v1" -gt "$v0" ])" "REQUEST with $kind: counted as a violation ($v0 -> $v1)" ;;
    *) echo "REQUEST with $kind: violations $v0 -> $v1 (a reference that cannot be mapped is refused)" ;;
    esac
done
counters=$(lab_yasmin_until $victim "[ \"\$counters\" = '$(cat "$LAB_RUN/yasmin-$victim.hostile-before")' ]")
check "$(st [ "$counters" = "$(cat "$LAB_RUN/yasmin-$victim.hostile-before")" ])" "after the bad REQUESTs the victim holds nothing more ($counters)"
attack cleanup
# And a good connection still works.
lab_vsock_test $victim stream "$a_cid" $port_a $((16 << 20))

# --- well-formed control messages that name X ------------------------------------------------------
# RESET: a legitimate abort, no violation.  REQUEST or ACCEPT for an established connection:
# the peer broke the protocol; the connection is reset.  After the forged RESET the attacker
# still holds its end of X, so the victim's pages it maps stay in the victim's grant budget
# (grant_budget_used) until it lets go: at the end, when its module is unloaded.
for case in "reset 3" "request 1" "accept 2"; do
    set -- $case
    v0=$(stat_b protocol_violations)
    x_open_reader /tmp/hostile-x.log
    xp=$(x_port) || lab_fail "no connection X on $attacker"
    t0=$(uptime_b)
    attack "msg $b_domid $2 0 $port_a $xp 0 $([ $2 = 3 ] && echo 0 || echo 1) 0"
    out=$(wait_log /tmp/hostile-x.log 15)
    check "$(st grep -q 'ok: recv fails with ECONNRESET' <<<"$out")" "$1 for X: the victim's blocked reader gets ECONNRESET ($(ended_after "$out" "$t0") s after the attack)" "$out"
    v1=$(stat_b protocol_violations)
    if [ $2 = 3 ]; then
        check "$(st [ "$v1" -eq "$v0" ])" "$1 for X: not a violation ($v0 -> $v1)"
    else
        check "$(st [ "$v1" -gt "$v0" ])" "$1 for X: counted as a violation ($v0 -> $v1)"
    fi
    # A reader that was never woken still holds X: end it before the next case.
    lab_exec $victim "pkill -f 'wait-reset $a_cid' || true" >/dev/null
done

# --- the control ring: the whole channel goes down, then comes back ------------------------------
for case in "ctrl-prod ahead" "ctrl-prod back" "ctrl-cons ahead" "ctrl-cons back"; do
    v0=$(stat_b protocol_violations)
    x_open_reader /tmp/hostile-x.log
    x_open_reader /tmp/hostile-x2.log
    t0=$(uptime_b)
    attack "${case% *} $b_domid ${case#* }"
    for log in /tmp/hostile-x.log /tmp/hostile-x2.log; do
        out=$(wait_log $log 20)
        check "$(st grep -q 'ok: recv fails with ECONNRESET' <<<"$out")" "$case: the victim's connection ($log) gets ECONNRESET ($(ended_after "$out" "$t0") s after the attack)" "$out"
    done
    v1=$(stat_b protocol_violations)
    check "$(st [ "$v1" -gt "$v0" ])" "$case: counted as a violation ($v0 -> $v1)"
    # The attacker rebuilds its half once the victim withdrew its own; then it works again.
    ok=1
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        if out=$(lab_exec $victim "yasmin-vsock-test stream $a_cid $port_a $((4 << 20)) 2>&1"); then ok=0; break; fi
        sleep 1
    done
    check $ok "$case: the channel comes back and a new connection works" "$out"
done

# --- end: guest-a gets yasmin.ko back; the victim holds what it held before ----------------------
lab_vsock_stop $attacker $port_a
unload $attacker yasmin_hostile
lab_yasmin_load $attacker
lab_vsock_serve $attacker $port_a
lab_vsock_test $victim stream "$a_cid" $port_a $((16 << 20))
lab_vsock_stop $attacker $port_a
lab_vsock_stop $victim $port_b
trap - EXIT
lab_yasmin_wait_idle $victim
counters=$(lab_yasmin_until $victim "[ \"\$counters\" = '$(cat "$LAB_RUN/yasmin-$victim.hostile-before")' ]")
check "$(st [ "$counters" = "$(cat "$LAB_RUN/yasmin-$victim.hostile-before")" ])" "victim's counters back to before the attacks: $counters"
echo "victim: protocol_violations=$(stat_b protocol_violations) resets_sent=$(stat_b resets_sent) resets_received=$(stat_b resets_received)"
lab_exec $victim "cat /proc/net/yasmin_peers"
oops=$(lab_exec $victim "dmesg | grep -E 'WARNING|BUG|Oops|RIP:|hung task|soft lockup' || true")
check "$(st [ -z "$oops" ])" "the victim's kernel log has no warning, oops or hang" "$oops"

[ ${#failures[@]} -eq 0 ] || lab_fail "${#failures[@]} check(s) failed: $(printf '%s; ' "${failures[@]}")"
echo "ok: every attack was survived"
