# Every guest's view follows a guest that moves (issue 7), with yasmind as the lab runs it
# (daemon) and every vif going through the project's hook, xl-hooks/yasmin-vif (the lab's
# xl.conf names it; it runs the lab's vif script):
#   1. xl save + xl restore of guest-b;
#   2. a failed xl migrate of guest-pvh, rolled back after the suspend (lib-move.sh:
#      lab_migrate_rollback): same domid, the receiver's copy gone;
#   3. xl migrate of guest-pvh to this host (PVH: Debian's Xen cannot live-migrate PV guests);
#   4. xl save + xl restore of guest-b with no yasmind daemon: the hook's `yasmind --once`
#      alone keeps the views right;
#   5. a policy that no longer lets guest-a reach guest-b: a TCP program under yasmin-run
#      gets plain TCP, and the fast path again once the policy allows it.
# After each move: within 1 s of xl returning, guest-a's /proc/net/yasmin_view (a watcher in
# guest-a, timed on guest-a's clock) and the views in XenStore (a watcher in dom0) show the
# moved guest's new domid and CID and not the old one, and then every view, rendezvous
# directory and ACL of the domains is exactly what it should be; a connection open across the
# move got ECONNRESET (no hang); a new connection goes over yasmin at the new CID (the byte
# counters of /proc/net/yasmin_peers grow), straight and through the preload (yasmin-run, its
# server side listening on TCP in the moved guest).  Figures: "measure:" lines.
# Leaves guest-a and guest-b running (guest-b at new domids), guest-pvh destroyed, yasmind
# running with no policy file.
# timeout: 1500
. "$LAB_SHARE/lab/scenarios/lib.sh"
. "$LAB_SHARE/lab/scenarios/lib-move.sh"

port=5082 tcp_port=5083 bytes=$((1 << 20))
VIEW=/proc/net/yasmin_view
xl domid guest-b >/dev/null 2>&1 || lab_start_guests guest-b
lab_yasmin_pair guest-a guest-b >/dev/null
lab_yasmin_load guest-a guest-b
a=$(lab_domid guest-a) ip_b=$(lab_guest_ip guest-b)
late=()   # moves whose views took longer than 1 s: judged at the end

cleanup() {
    rm -f /etc/yasmin/yasmind.conf
    /etc/init.d/yasmind status >/dev/null 2>&1 || /etc/init.d/yasmind start || true
    /etc/init.d/yasmind reload >/dev/null 2>&1 || true
    for guest in guest-b guest-pvh; do
        xl domid "$guest" >/dev/null 2>&1 || continue
        lab_vsock_stop "$guest" $port
        lab_vsock_stop "$guest" $tcp_port
    done
    ! xl domid guest-pvh >/dev/null 2>&1 || xl destroy guest-pvh || true
    lab_guest_exec guest-a "touch /tmp/remap-watch.stop" >/dev/null 2>&1 || true
    pkill_watcher
}
trap cleanup EXIT

# --- watchers: when did the views change? --------------------------------------------------
# In guest-a: its file's peer lines (not the generation line), logged at every change with
# guest-a's uptime, polled every 50 ms.  In dom0: xenstore-watch on the generation of dom0's
# and guest-a's views (yasmind moves it in the same transaction as any change of the view),
# each event logged with dom0's clock as it arrives.  A move's figure is the time of the last
# change minus the time xl returned (negative: the views were final before xl returned).
# guest-a's uptime is put on dom0's clock by an offset measured before the move, while dom0 is
# quiet (one agent round trip, the shortest of 3; half of it is the figure's uncertainty).
xs_watch_pids=()   # their pid files
watch_start() {
    local i t0 t1 up best=9 d
    for i in 1 2 3; do
        t0=$(lab_now); up=$(lab_guest_exec guest-a "cut -d' ' -f1 /proc/uptime"); t1=$(lab_now)
        if awk -v r="$(lab_seconds "$t0" "$t1")" -v b="$best" 'BEGIN { exit !(r < b) }'; then
            best=$(lab_seconds "$t0" "$t1")
            CLOCK_OFFSET=$(awk -v u="$up" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", u - (a + b) / 2 }')
            CLOCK_ERR=$(awk -v r="$best" 'BEGIN { printf "%.2f", r / 2 }')
        fi
    done
    lab_guest_exec guest-a "rm -f /tmp/remap-watch.stop; (prev=x
        while [ ! -e /tmp/remap-watch.stop ]; do
            v=\$(tail -n +2 $VIEW | sort | tr '\n' ';')
            [ \"\$v\" = \"\$prev\" ] || { echo \"\$(cut -d' ' -f1 /proc/uptime) \$v\"; prev=\$v; }
            sleep 0.05
        done) >/tmp/remap-watch.log 2>&1 &"
    : >"$LAB_RUN/remap-xs-watch.log"
    for d in 0 "$a"; do
        # The watch's own pid, to stop it: the loop reading it then ends at EOF.
        { xenstore-watch "/local/domain/$d/yasmin/generation" & echo $! >"$LAB_RUN/remap-xs-watch.$d.pid"; wait; } |
            while read -r _; do
                echo "$(lab_now) $d $(xenstore-read "/local/domain/$d/yasmin/generation" 2>/dev/null)"
            done >>"$LAB_RUN/remap-xs-watch.log" &
        xs_watch_pids+=("$LAB_RUN/remap-xs-watch.$d.pid")
    done
}
pkill_watcher() {
    local f
    for f in "${xs_watch_pids[@]}"; do [ ! -s "$f" ] || kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; done
    xs_watch_pids=()
}

# watch_judge WHAT GUEST_EXPECTED DOMID... : waits (10 s at most) until the views of the
# domains list exactly each other (views_exact) and guest-a's file shows GUEST_EXPECTED,
# stops the watchers, prints the figures and notes a late one.
watch_judge() {
    local what=$1 want_g=$2 i=0 glog last_g last_x g_s x_s end_g; shift 2
    # A subshell: views_exact fails by lab_fail, whose exit would end the scenario silently.
    until (views_exact "$@") >/dev/null 2>&1; do
        [ $i -lt 100 ] || views_exact "$@"   # fails, saying what is wrong
        sleep 0.1; i=$((i + 1))
    done
    glog=$(lab_guest_exec guest-a "i=0; until [ \"\$(tail -n 1 /tmp/remap-watch.log | cut -d' ' -f2-)\" = '$want_g' ]; do
            [ \$i -lt 100 ] || break; sleep 0.1; i=\$((i + 1)); done
        touch /tmp/remap-watch.stop; sleep 0.2; cat /tmp/remap-watch.log")
    sleep 0.2
    pkill_watcher
    end_g=$(awk -v e="$LAB_MOVE_END" -v o="$CLOCK_OFFSET" 'BEGIN { printf "%.2f", e + o }')
    echo "--- guest-a's $VIEW peer lines (uptime, lines); xl returned at guest-a uptime $end_g (+- $CLOCK_ERR s)"
    printf "%s\n" "$glog" | sed "s/^/  /"
    echo "--- generation events of dom0's and guest-a's views (dom0 time, domid, generation); xl returned at $LAB_MOVE_END"
    sed 's/^/  /' "$LAB_RUN/remap-xs-watch.log"
    last_g=$(tail -n 1 <<<"$glog")
    [ "${last_g#* }" = "$want_g" ] ||
        lab_fail "$what: guest-a's $VIEW shows '${last_g#* }', expected '$want_g'"
    last_x=$(sort -n "$LAB_RUN/remap-xs-watch.log" | tail -n 1)
    g_s=$(lab_seconds "$end_g" "${last_g%% *}")
    x_s=$(lab_seconds "$LAB_MOVE_END" "${last_x%% *}")
    echo "measure: $what: guest-a's $VIEW final ${g_s} s after xl returned (+- $CLOCK_ERR s), XenStore views final ${x_s} s after"
    awk -v g="$g_s" -v x="$x_s" 'BEGIN { exit !(g <= 1 && x <= 1) }' ||
        late+=("$what: views final after ${g_s} s ($VIEW) / ${x_s} s (XenStore), not within 1 s")
}

# views_exact DOMID... : every view and rendezvous directory of these domains (all the running
# ones) lists exactly the others, with their CIDs, the ACLs of docs/contract.md, and the
# IP addresses for the guests.
views_exact() {
    local d p want got acl
    for d in "$@"; do
        want=$(printf '%s\n' "$@" | grep -vx "$d" | sort -n | paste -sd' ')
        got=$(xenstore-list "/local/domain/$d/yasmin/peers" | sort -n | paste -sd' ')
        [ "$got" = "$want" ] || lab_fail "domain $d's view lists '$got', expected '$want'"
        got=$(xenstore-list "/local/domain/$d/yasmin/rendezvous" | sort -n | paste -sd' ')
        [ "$got" = "$want" ] || lab_fail "domain $d's rendezvous directories: '$got', expected '$want'"
        for p in $want; do
            [ "$(xenstore-read "/local/domain/$d/yasmin/peers/$p/cid")" = $((p + 2)) ] ||
                lab_fail "domain $d's view: peer $p's cid is not $((p + 2))"
            if [ "$d" = 0 ]; then acl="n0,r$p"; else acl="n$d,r$p"; fi
            [ "$(lab_xs_perms "/local/domain/$d/yasmin/rendezvous/$p")" = "$acl" ] ||
                lab_fail "ACL of /local/domain/$d/yasmin/rendezvous/$p: $(lab_xs_perms "/local/domain/$d/yasmin/rendezvous/$p"), expected $acl"
        done
    done
    echo "ok: the views of domains $* list exactly each other, rendezvous directories and ACLs included"
}

# --- connections across the move ------------------------------------------------------------
hold_start() {   # GUEST : guest-a holds a connection to GUEST's server
    # Long enough for a live migration under TCG (its pre-copy alone has taken 40 s);
    # hold_judge requires the reset before xl returned anyway.
    lab_guest_exec guest-a "(yasmin-vsock-test wait-reset --hold-seconds 600 --timeout 700 $(lab_cid "$1") $port
            echo \"exit=\$? at \$(cut -d' ' -f1 /proc/uptime)\") >/tmp/remap-reset.log 2>&1 &"
    lab_guest_exec guest-a "i=0; until grep -q 'holds the connection' /tmp/remap-reset.log; do
            [ \$i -lt 150 ] || exit 1; sleep 0.2; i=\$((i + 1)); done" ||
        lab_fail "wait-reset did not connect: $(lab_guest_exec guest-a "cat /tmp/remap-reset.log")"
    HOLD_SINCE=$(lab_guest_exec guest-a "cut -d' ' -f1 /proc/uptime")
}
hold_judge() {   # WHAT : the held connection was reset, with ECONNRESET, no hang
    local out at before
    out=$(LAB_EXEC_TIMEOUT=90 lab_guest_exec guest-a "i=0; until grep -q '^exit=' /tmp/remap-reset.log; do
            [ \$i -lt 350 ] || break; sleep 0.2; i=\$((i + 1)); done; cat /tmp/remap-reset.log")
    printf "%s\n" "$out" | sed "s/^/  /"
    lab_assert_contains "$out" "ok: recv fails with ECONNRESET" "$1: the connection open across the move got ECONNRESET"
    at=$(sed -n 's/^exit=[0-9]* at //p' <<<"$out")
    before=$(lab_seconds "$(awk -v u="$at" -v o="$CLOCK_OFFSET" 'BEGIN { printf "%.3f", u - o }')" "$LAB_MOVE_END")
    echo "measure: $1: the open connection was reset $(lab_seconds "$HOLD_SINCE" "$at") s after it was opened," \
        "$before s before xl returned"
    # It is reset when the guest suspends, which xl waits for.
    awk -v b="$before" 'BEGIN { exit !(b >= -1) }' || lab_fail "$1: the open connection was reset only ${before#-} s after xl returned"
}

# bytes_to DOMID : guest-a's bytes_sent to that peer (/proc/net/yasmin_peers, field 8), 0 if no line.
bytes_to() {
    local n
    n=$(lab_guest_exec guest-a "awk -v d=$1 'NR > 1 && \$1 == d { print \$8 }' /proc/net/yasmin_peers" | tr -d '[:space:]')
    echo "${n:-0}"
}
total_bytes() {   # guest-a's bytes_sent to all peers
    lab_guest_exec guest-a "awk 'NR > 1 { s += \$8 } END { print s + 0 }' /proc/net/yasmin_peers"
}

# fast_path GUEST WHAT : a new connection straight to GUEST's new CID and one through the
# preload to its IP go over yasmin: guest-a's byte counter for GUEST's domid grows by both.
fast_path() {
    local guest=$1 what=$2 d before after out
    d=$(lab_domid "$guest")
    before=$(bytes_to "$d")
    LAB_EXEC_TIMEOUT=300 lab_vsock_test guest-a stream "$(lab_cid "$guest")" $port $bytes --timeout 120
    out=$(preload_client "$guest") || lab_fail "$what: the TCP client under yasmin-run failed: $out"
    echo "$out" | grep -E 'yasmin\[|stream:' | sed 's/^/  /'
    lab_assert_contains "$out" "vsock cid $(lab_cid "$guest") port $tcp_port" "$what: the preload sends the TCP connection to the new CID"
    lab_assert_not_contains "$out" "FAIL" "$what: every byte verified through the preload"
    after=$(bytes_to "$d")
    echo "guest-a -> $guest (domid $d) bytes through yasmin: $before -> $after"
    [ $((after - before)) -ge $((2 * bytes)) ] ||
        lab_fail "$what: new connections did not go over yasmin at the new CID ($((after - before)) bytes, expected >= $((2 * bytes)))"
    echo "ok: $what: new connections take the fast path at CID $(lab_cid "$guest")"
}
preload_client() {   # GUEST : a TCP program under yasmin-run in guest-a, to GUEST's IP
    LAB_EXEC_TIMEOUT=300 lab_guest_exec guest-a "YASMIN_DEBUG=1 yasmin-run yasmin-vsock-test-dynamic stream \
        --family tcp --timeout 120 $(lab_guest_ip "$1") $tcp_port $bytes 2>&1"
}

# servers GUEST : the vsock test server and, under yasmin-run, a TCP one (which the preload's
# server side makes accept yasmin clients too) in GUEST, started once before all its moves.
servers() {
    lab_vsock_serve "$1" $port
    lab_exec "$1" "yasmin-run yasmin-vsock-test-dynamic serve --daemon --family tcp \
        --pidfile /run/yasmin-vsock-test-$tcp_port.pid --log /run/yasmin-vsock-test-$tcp_port.log $tcp_port" ||
        lab_fail "$1: the TCP server under yasmin-run did not start"
}

# move GUEST HOW WHAT PEERS_AFTER... : the whole check around one move.
move() {
    local guest=$1 how=$2 what=$3; shift 3
    local old_cid
    echo "=== $what"
    hold_start "$guest"
    old_cid=$(lab_cid "$guest")
    watch_start
    "$how" "$guest"
    hold_judge "$what"
    local new; new=$(lab_domid "$guest")
    watch_judge "$what" "$(view_line "$guest" "$@")" 0 "$a" "$new" "$@"
    views_exact 0 "$a" "$new" "$@"
    [ "$new" = "$LAB_MOVE_OLD_DOMID" ] || ! xenstore-exists "/local/domain/$LAB_MOVE_OLD_DOMID" ||
        lab_fail "the old domain $LAB_MOVE_OLD_DOMID still has a home"
    echo "ok: $what: $guest went from CID $old_cid to $(lab_cid "$guest")"
}
# view_line GUEST OTHER_DOMID... : the watcher's line for guest-a's view: GUEST's IP and CID, and
# the other guests' (by domid).
view_line() {
    local guest=$1 d name; shift
    {
        echo "$(lab_guest_ip "$guest") $(lab_cid "$guest")"
        for d in "$@"; do
            name=$(xl list | awk -v d="$d" 'NR > 1 && $2 == d { print $1 }')
            echo "$(lab_guest_ip "$name") $((d + 2))"
        done
    } | sort | tr '\n' ';'
}

servers guest-b

# 1 ----------------------------------------------------------------------------------------
move guest-b lab_save_restore "xl save + xl restore of guest-b"
fast_path guest-b "after the restore"

# 2, 3 --------------------------------------------------------------------------------------
b=$(lab_domid guest-b)
lab_start_guests guest-pvh
lab_yasmin_pair guest-a guest-pvh >/dev/null
lab_yasmin_load guest-pvh
servers guest-pvh
fast_path guest-pvh "guest-pvh before any move"
move guest-pvh lab_migrate_rollback "a failed xl migrate of guest-pvh, rolled back" "$b"
fast_path guest-pvh "after the rollback"

# Under TCG a migrated PVH guest has been seen to crash right after resuming (lib-move.sh);
# then xl restarts it (a new boot, a new domid), which still moves it in every view; the
# module-side checks then need the module loaded again.
LAB_MOVE_ALLOW_REBOOT=1 move guest-pvh lab_migrate_local "xl migrate of guest-pvh to this host" "$b"
if [ "$LAB_MOVE_REBOOTED" = 1 ]; then
    echo "PLATFORM: guest-pvh crashed on resume after the migration and rebooted (TCG: lib-move.sh);" \
        "the views followed its new domid all the same; loading yasmin again for the fast-path check"
    lab_yasmin_load guest-pvh
    servers guest-pvh
fi
fast_path guest-pvh "after the migration"
lab_vsock_stop guest-pvh $port
lab_vsock_stop guest-pvh $tcp_port
xl destroy guest-pvh
lab_yasmin_pair guest-a guest-b >/dev/null

# 4 ----------------------------------------------------------------------------------------
echo "=== without the yasmind daemon: the vif hook's yasmind --once"
/etc/init.d/yasmind stop || lab_fail "/etc/init.d/yasmind stop failed"
! /etc/init.d/yasmind status >/dev/null 2>&1 || lab_fail "yasmind still runs after stop"
move guest-b lab_save_restore "xl save + xl restore of guest-b, no yasmind daemon"
/etc/init.d/yasmind start || lab_fail "/etc/init.d/yasmind start failed"
fast_path guest-b "after the restore without the daemon"

# 5 ----------------------------------------------------------------------------------------
echo "=== guest-b no longer co-located for guest-a (policy): plain TCP through the preload"
mkdir -p /etc/yasmin
printf 'group a name:guest-a\ngroup rest name:Domain-0 name:guest-b\nallow rest rest\n' >/etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload || lab_fail "/etc/init.d/yasmind reload failed"
b=$(lab_domid guest-b)
i=0
while xenstore-exists "/local/domain/$a/yasmin/peers/$b" ||
        lab_guest_exec guest-a "grep -q ' $((b + 2))\$' $VIEW"; do
    [ $i -lt 50 ] || lab_fail "the policy did not take guest-b out of guest-a's view within 5 s"
    sleep 0.1; i=$((i + 1))
done
xenstore-exists "/local/domain/0/yasmin/peers/$b" || lab_fail "the policy took guest-b out of dom0's view too"
before=$(total_bytes)
out=$(preload_client guest-b) || lab_fail "the TCP client under yasmin-run failed: $out"
echo "$out" | grep -E 'yasmin\[|stream:' | sed 's/^/  /'
lab_assert_contains "$out" "$ip_b port $tcp_port: tcp (not-in-view)" "the preload connects to guest-b over TCP"
lab_assert_not_contains "$out" "FAIL" "every byte verified over TCP"
lab_assert_eq "$before" "$(total_bytes)" "guest-a's yasmin byte counters did not move"
rm /etc/yasmin/yasmind.conf
/etc/init.d/yasmind reload || lab_fail "/etc/init.d/yasmind reload failed"
lab_yasmin_pair guest-a guest-b >/dev/null
lab_guest_exec guest-a "i=0; until grep -q '^$ip_b $((b + 2))\$' $VIEW; do [ \$i -lt 50 ] || exit 1; sleep 0.1; i=\$((i + 1)); done" ||
    lab_fail "guest-b did not come back into guest-a's $VIEW"
fast_path guest-b "allowed again"

lab_vsock_stop guest-b $port
lab_vsock_stop guest-b $tcp_port
trap - EXIT
cleanup
[ ${#late[@]} -eq 0 ] || lab_fail "${late[*]}"
echo "ok: every move's views were final within 1 s of xl returning"
