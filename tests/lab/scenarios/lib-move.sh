# Moving a guest within the lab's one Xen host: `xl save` + `xl restore`, and `xl migrate` to
# localhost.  Sourced by scenarios after lib.sh (bash, in dom0).
# shellcheck shell=bash disable=SC2034 # LAB_MOVE_*: results for the sourcing scenario
#
# Both moves end with the guest running as a NEW domain: same name, UUID, MAC, IP and memory,
# a new domid (so a new yasmin CID), new grant table and event channels.  The lab's plumbing
# follows it by itself: lab_domid/lab_cid/lab_guest_exec go by name and IP, the vif script
# attaches the new backend vif (vif<NEWDOMID>.0) to the bridge, and netfront reconnects and
# sends a gratuitous ARP, so the guest agent answers again at the same address, and yasmind
# removes everything keyed by the old domid and publishes the new one's views and rendezvous
# directories (lab_yasmin_pair waits for them).
#
# `xl migrate` normally runs `ssh HOST xl migrate-receive`; xl(1): "-s sshcommand ... If
# empty, run <host> instead of ssh <host> xl migrate-receive", the rune being run with sh -c
# and its stdin/stdout as the migration stream.  So `xl migrate -s "" GUEST "xl migrate-receive"`
# migrates to this very host with no network service at all: the receiving domain is created
# paused as GUEST--incoming, the sender renames its own to GUEST--migratedaway, the receiver
# renames the new one to GUEST and unpauses it, the sender destroys the old one.  It needs the
# guest's memory twice for the duration (Xen has about 2 GiB free next to dom0 and the two
# 256 MiB guests).  A failed save or migration resumes the guest where it was ("suspend
# cancelled": same domain, same domid), as does `xl save -c` (checkpoint) by design.
#
# xl migrate is always live: the pre-copy rounds need log-dirty mode, which for a PV guest is
# shadow paging, and Debian 12's Xen 4.17 hypervisor is built without it
# (/boot/xen-4.17-amd64.config: "# CONFIG_SHADOW_PAGING is not set"; `xl info` virt_caps has
# no "shadow"): `xl migrate` of a PV guest fails at once with "Failed to enable logdirty:
# 95,22,0", on real hardware as in the lab, and the guest keeps running untouched.  PVH and
# HVM guests use HAP's log-dirty and migrate.  `xl save`/`xl restore` (not live) work for all.
# Seen in the lab (TCG, emulated SVM/NPT): a PVH guest that resumes - migrated, or its
# suspend cancelled by a failed migration - sometimes triple-faults in the kernel's own resume
# code, at an x2APIC register write: native_apic_msr_eoi_write (rcx=0x80b, the EOI MSR) after a
# migration, pvclock_clocksource_read after another, rdi=0x350 (APIC_LVT0, lapic_resume) after
# a rollback (1 CI run in about 20; 0 in 24 rollbacks in a row, with yasmin or without it).
# It is the emulator's, not the guest's: lib.sh, "triple faults".  Xen then shuts the domain
# down as for a reboot: xl restarts a migrated guest (a new boot id), a rolled-back one stays
# shut down.  lab_move_triple_fault says where the vCPU was; LAB_MOVE_ALLOW_REBOOT excuses only
# a fault the emulator is known for (lab_triple_fault_where), never one in a module's code.
#
# After a successful move LAB_MOVE_OLD_DOMID, LAB_MOVE_NEW_DOMID and the timings (seconds) are
# set: LAB_MOVE_SAVE_S / LAB_MOVE_RESTORE_S (save/restore) or LAB_MOVE_MIGRATE_S (migrate), and
# LAB_MOVE_AGENT_S (from the end of the move until the guest's agent answered) and
# LAB_MOVE_TOTAL_S (from the start of the move until the agent answered).  A failure calls
# lab_fail with what xl said, after showing the state of the guest; LAB_MOVE_HINT, if set, is
# added to the message (what the scenario expected to go wrong and why).

# Where xl save writes: dom0's /tmp is a tmpfs (half of dom0's 1 GiB); the root file system
# is a small image with a few hundred MiB free at best.
LAB_SAVE_DIR=${LAB_SAVE_DIR:-/tmp}

lab_now() { date +%s.%N; }

# lab_move_ended TIME : xl's move command returned at TIME (LAB_MOVE_END, dom0's clock).
lab_move_ended() { LAB_MOVE_END=$1; }
lab_seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }   # FROM TO

# lab_move_show GUEST : what there is to know about GUEST after a move went wrong.
lab_move_show() {
    local guest=$1 log
    echo "--- state after the failed move of $guest"
    xl list || true
    log=/var/log/xen/console/guest-$guest.log
    [ ! -f "$log" ] || { echo "--- last lines of $guest's console"; tail -n 25 "$log"; }
    echo "--- xl dmesg (last lines)"
    xl dmesg | tail -n 10 || true
    lab_move_triple_fault "${LAB_MOVE_OLD_DOMID:-0}" || true
    # A hung guest's kernel still accepts TCP connections: run a command, do not just connect.
    if LAB_EXEC_TIMEOUT=20 lab_guest_exec "$guest" true >/dev/null 2>&1; then
        echo "--- $guest still runs commands (domid $(xl domid "$guest" 2>/dev/null || echo '?'))"
    else
        echo "--- $guest does not run commands (hung, or gone)"
    fi
}

lab_move_fail() {   # GUEST MESSAGE
    lab_move_show "$1"
    lab_fail "$2${LAB_MOVE_HINT:+ ($LAB_MOVE_HINT)}"
}

# lab_move_triple_fault FIRST_DOMID : whether the moved guest (or a copy of it: domids only grow)
# triple-faulted, i.e. Xen logged it for a domain numbered FIRST_DOMID or above; if so, prints
# where (lab_triple_fault_where) and sets LAB_FAULT_AT and LAB_FAULT_IN.
lab_move_triple_fault() {
    local d
    LAB_FAULT_AT='' LAB_FAULT_IN=''
    d=$(lab_triple_faults | awk -v f="$1" '$1 >= f' | tail -n 1)   # sorted: the latest
    [ -n "$d" ] || return 1
    lab_triple_fault_where "$d"
}

# lab_move_await GUEST DOMID : waits up to 120 s for GUEST's agent; fails at once when domain
# DOMID has shut down meanwhile (a guest that crashed while it resumed).
lab_move_await() {
    local guest=$1 domid=$2 i
    for i in $(seq 24); do
        yasmin-lab-agent wait -t 5 "$(lab_guest_ip "$guest")" 2>/dev/null && return 0
        xl list "$domid" 2>/dev/null | awk 'NR == 2 && $5 ~ /s/ { down = 1 } END { exit !down }' &&
            return 1
    done
    return 1
}

# lab_move_settle GUEST STARTED ENDED : after a move that ended at ENDED (started at STARTED),
# waits for the guest's agent and checks that exactly one domain of that name is left.
lab_move_settle() {
    local guest=$1 started=$2 ended=$3 back
    yasmin-lab-agent wait -t 120 "$(lab_guest_ip "$guest")" ||
        lab_move_fail "$guest" "$guest: agent did not answer within 120 s of the move"
    back=$(lab_now)
    # A guest that crashed on resume comes back rebooted (xl restarts it): a new boot id.
    # LAB_MOVE_ALLOW_REBOOT=1: the caller judges it (LAB_MOVE_REBOOTED=1) instead.
    LAB_MOVE_REBOOTED=0
    if [ "$(lab_guest_exec "$guest" "cat /proc/sys/kernel/random/boot_id")" != "$LAB_MOVE_BOOT_ID" ]; then
        lab_move_triple_fault "$LAB_MOVE_OLD_DOMID" || true
        [ "${LAB_MOVE_ALLOW_REBOOT:-0}" = 1 ] ||
            lab_move_fail "$guest" "$guest did not resume: it rebooted during the move (${LAB_FAULT_AT:+a triple fault at $LAB_FAULT_AT; }look for a panic in its console, guest-$guest--incoming.log for a migration)"
        lab_triple_fault_excused ||
            lab_move_fail "$guest" "$guest rebooted during the move, and not for a triple fault the emulator is known for (${LAB_FAULT_AT:-no triple fault in xl dmesg}): look for a panic in its console, guest-$guest--incoming.log for a migration"
        LAB_MOVE_REBOOTED=1
        echo "note: $guest rebooted during the move: a triple fault at $LAB_FAULT_AT while it resumed (the emulator: lib-move.sh; LAB_MOVE_ALLOW_REBOOT: the caller judges)"
    fi
    LAB_MOVE_AGENT_S=$(lab_seconds "$ended" "$back")
    LAB_MOVE_TOTAL_S=$(lab_seconds "$started" "$back")
    LAB_MOVE_NEW_DOMID=$(xl domid "$guest") || lab_move_fail "$guest" "$guest: no such domain after the move"
    xl list | awk -v g="$guest" '$1 ~ "^" g "--" { bad = 1 } END { exit bad }' ||
        lab_move_fail "$guest" "a domain named $guest--* is left over"
    ! xl list | awk -v d="$LAB_MOVE_OLD_DOMID" 'NR > 1 && $2 == d { found = 1 } END { exit !found }' ||
        lab_move_fail "$guest" "the old domain $LAB_MOVE_OLD_DOMID is still there"
    [ "$LAB_MOVE_NEW_DOMID" != "$LAB_MOVE_OLD_DOMID" ] ||
        lab_move_fail "$guest" "$guest kept domid $LAB_MOVE_OLD_DOMID"
    echo "ok: $guest moved from domid $LAB_MOVE_OLD_DOMID to $LAB_MOVE_NEW_DOMID; its agent answers" \
        "$LAB_MOVE_AGENT_S s after the move ended"
}

# lab_save_restore GUEST : xl save GUEST to a file, xl restore it, wait for the agent.
lab_save_restore() {
    mkdir -p "$LAB_RUN"
    local guest=$1 file started saved restored out rc=0 need avail
    LAB_MOVE_OLD_DOMID=$(xl domid "$guest") || lab_fail "$guest is not running"
    LAB_MOVE_BOOT_ID=$(lab_guest_exec "$guest" "cat /proc/sys/kernel/random/boot_id")
    file=$LAB_SAVE_DIR/$guest.save
    need=$(( $(xl list "$guest" | awk 'NR == 2 { print $3 }') + 64 ))
    avail=$(df -m --output=avail "$LAB_SAVE_DIR" | tail -n 1)
    [ "$avail" -ge "$need" ] || lab_fail "$LAB_SAVE_DIR has $avail MiB free, xl save needs about $need"
    echo "--- xl save $guest $file (domid $LAB_MOVE_OLD_DOMID)"
    started=$(lab_now)
    xl save "$guest" "$file" >"$LAB_RUN/xl-save.log" 2>&1 || rc=$?
    saved=$(lab_now)
    out=$(cat "$LAB_RUN/xl-save.log")
    sed '/progress: Frames/d; s/^/  xl: /' "$LAB_RUN/xl-save.log"
    LAB_MOVE_SAVE_S=$(lab_seconds "$started" "$saved")
    if [ $rc -ne 0 ]; then
        rm -f "$file"
        lab_move_fail "$guest" "xl save $guest failed (exit $rc after $LAB_MOVE_SAVE_S s): $(grep -m 3 -iE 'error|fail|bad' <<<"$out" | paste -sd '|' -)"
    fi
    echo "measure: xl save $guest took $LAB_MOVE_SAVE_S s ($(du -m "$file" | cut -f1) MiB)"
    ! xl domid "$guest" >/dev/null 2>&1 || lab_move_fail "$guest" "$guest still runs after xl save"

    echo "--- xl restore $file"
    xl restore "$file" >"$LAB_RUN/xl-restore.log" 2>&1 || rc=$?
    restored=$(lab_now)
    lab_move_ended "$restored"
    out=$(cat "$LAB_RUN/xl-restore.log")
    rm -f "$file"
    sed 's/^/  xl: /' "$LAB_RUN/xl-restore.log"
    LAB_MOVE_RESTORE_S=$(lab_seconds "$saved" "$restored")
    [ $rc -eq 0 ] ||
        lab_move_fail "$guest" "xl restore of $guest failed (exit $rc after $LAB_MOVE_RESTORE_S s): $(grep -m 3 -iE 'error|fail' <<<"$out" | paste -sd '|' -)"
    echo "measure: xl restore $guest took $LAB_MOVE_RESTORE_S s"
    lab_move_settle "$guest" "$started" "$restored"
    echo "measure: save+restore of $guest: $LAB_MOVE_TOTAL_S s from xl save to the agent answering"
}

# lab_can_migrate GUEST : whether this Xen can live-migrate GUEST (see above).
lab_can_migrate() {
    [ "${LAB_GUEST_TYPE[$1]:-pv}" != pv ] || xl info | grep -q '^virt_caps.* shadow'
}

# lab_migrate_local GUEST : xl migrate GUEST to this host, wait for the agent.
lab_migrate_local() {
    mkdir -p "$LAB_RUN"
    local guest=$1 started ended out rc=0
    LAB_MOVE_OLD_DOMID=$(xl domid "$guest") || lab_fail "$guest is not running"
    LAB_MOVE_BOOT_ID=$(lab_guest_exec "$guest" "cat /proc/sys/kernel/random/boot_id")
    lab_can_migrate "$guest" ||
        lab_fail "xl migrate of the PV guest $guest cannot work on this Xen: no shadow paging, so no log-dirty for PV guests ($(xl info | grep '^virt_caps')); migrate a PVH guest"
    echo "--- xl migrate -s '' $guest 'xl migrate-receive' (domid $LAB_MOVE_OLD_DOMID)"
    started=$(lab_now)
    # The receiver daemonizes a monitor for the new domain (as xl create and xl restore do),
    # which may keep inherited descriptors: xl's output goes to a file, not into a pipe whose
    # end we would wait for.
    xl migrate -s "" "$guest" "xl migrate-receive" >"$LAB_RUN/xl-migrate.log" 2>&1 </dev/null ||
        rc=$?
    ended=$(lab_now)
    lab_move_ended "$ended"
    out=$(cat "$LAB_RUN/xl-migrate.log")
    sed '/progress: Frames/d; s/^/  xl: /' "$LAB_RUN/xl-migrate.log"
    LAB_MOVE_MIGRATE_S=$(lab_seconds "$started" "$ended")
    [ $rc -eq 0 ] ||
        lab_move_fail "$guest" "xl migrate $guest failed (exit $rc after $LAB_MOVE_MIGRATE_S s): $(grep -m 3 -iE 'error|fail|bad' <<<"$out" | paste -sd '|' -)"
    echo "measure: xl migrate $guest (localhost) took $LAB_MOVE_MIGRATE_S s"
    lab_move_settle "$guest" "$started" "$ended"
    echo "measure: migration of $guest: $LAB_MOVE_TOTAL_S s from xl migrate to the agent answering"
}

# lab_save_checkpoint GUEST : xl save -c GUEST to a file (deleted at once): the guest is
# suspended, saved, and resumes as the same domain with the same domid (suspend cancelled: the
# PM .thaw path, not .restore).  Sets LAB_MOVE_OLD_DOMID = LAB_MOVE_NEW_DOMID, LAB_MOVE_SAVE_S
# and LAB_MOVE_AGENT_S.
lab_save_checkpoint() {
    mkdir -p "$LAB_RUN"
    local guest=$1 file started saved back rc=0
    LAB_MOVE_OLD_DOMID=$(xl domid "$guest") || lab_fail "$guest is not running"
    file=$LAB_SAVE_DIR/$guest.checkpoint
    echo "--- xl save -c $guest $file (domid $LAB_MOVE_OLD_DOMID)"
    started=$(lab_now)
    xl save -c "$guest" "$file" >"$LAB_RUN/xl-save.log" 2>&1 || rc=$?
    saved=$(lab_now)
    rm -f "$file"
    sed '/progress: Frames/d; s/^/  xl: /' "$LAB_RUN/xl-save.log"
    LAB_MOVE_SAVE_S=$(lab_seconds "$started" "$saved")
    [ $rc -eq 0 ] ||
        lab_move_fail "$guest" "xl save -c $guest failed (exit $rc after $LAB_MOVE_SAVE_S s): $(grep -m 3 -iE 'error|fail|bad' "$LAB_RUN/xl-save.log" | paste -sd '|' -)"
    echo "measure: xl save -c $guest took $LAB_MOVE_SAVE_S s"
    LAB_MOVE_NEW_DOMID=$(xl domid "$guest") || lab_move_fail "$guest" "$guest is gone after xl save -c"
    [ "$LAB_MOVE_NEW_DOMID" = "$LAB_MOVE_OLD_DOMID" ] ||
        lab_move_fail "$guest" "$guest changed domid in a checkpoint: $LAB_MOVE_OLD_DOMID -> $LAB_MOVE_NEW_DOMID"
    yasmin-lab-agent wait -t 120 "$(lab_guest_ip "$guest")" ||
        lab_move_fail "$guest" "$guest: agent did not answer within 120 s of the checkpoint"
    back=$(lab_now)
    LAB_MOVE_AGENT_S=$(lab_seconds "$saved" "$back")
    echo "ok: $guest runs on as domid $LAB_MOVE_NEW_DOMID after the checkpoint; its agent answers" \
        "$LAB_MOVE_AGENT_S s after xl save -c ended"
}

# lab_migrate_rollback GUEST : an `xl migrate` of GUEST to this host that fails after GUEST was
# suspended, so that xl resumes it where it was (same domain, same domid).  How: the receiver
# gets, with -C, GUEST's configuration with a vif script that refuses to bring the vif up.
# libxl attaches a restored domain's vifs only once the whole stream is in, and the sender
# suspends the guest for the last round of that stream: so the receiver fails after the
# suspend, destroys its copy (GUEST--incoming) and dies without sending "ready"; the sender,
# reading EOF instead, says "Migration failed, resuming at sender" and resumes GUEST with its
# suspend cancelled (the guest's PM .thaw, as for xl save -c).  Sets LAB_MOVE_OLD_DOMID =
# LAB_MOVE_NEW_DOMID, LAB_MOVE_MIGRATE_S and LAB_MOVE_AGENT_S.
lab_migrate_rollback() {
    mkdir -p "$LAB_RUN"
    local guest=$1 cfg=$LAB_RUN/$1-rollback.cfg vif=$LAB_RUN/vif-refuse started ended back out rc=0 i
    LAB_MOVE_OLD_DOMID=$(xl domid "$guest") || lab_fail "$guest is not running"
    LAB_MOVE_BOOT_ID=$(lab_guest_exec "$guest" "cat /proc/sys/kernel/random/boot_id")
    lab_can_migrate "$guest" || lab_fail "xl migrate of $guest cannot work on this Xen (see lib-move.sh)"
    cat >"$vif" <<'VIF'
#!/bin/sh
# The receiving side of a migration that must fail: its vif never comes up.
[ "$1" != online ] || { echo "vif-refuse: not bringing up $XENBUS_PATH (a failing migration)" >&2; exit 1; }
exit 0
VIF
    chmod 755 "$vif"
    lab_guest_config "$guest" | sed "s|^vif = \[ \"\(.*\)\" \]|vif = [ \"\1,script=$vif\" ]|" >"$cfg"
    grep -q "script=$vif" "$cfg" || lab_fail "could not put the refusing vif script into $cfg"
    echo "--- xl migrate -C $cfg -s '' $guest 'xl migrate-receive' (domid $LAB_MOVE_OLD_DOMID): must fail and roll back"
    started=$(lab_now)
    xl migrate -C "$cfg" -s "" "$guest" "xl migrate-receive" >"$LAB_RUN/xl-migrate.log" 2>&1 </dev/null ||
        rc=$?
    ended=$(lab_now)
    lab_move_ended "$ended"
    out=$(cat "$LAB_RUN/xl-migrate.log")
    sed '/progress: Frames/d; s/^/  xl: /' "$LAB_RUN/xl-migrate.log"
    LAB_MOVE_MIGRATE_S=$(lab_seconds "$started" "$ended")
    [ $rc -ne 0 ] || lab_move_fail "$guest" "xl migrate with a refusing vif script succeeded"
    # The rollback this is about: after the suspend, at the sender.
    [[ "$out" == *"resuming at sender"* ]] ||
        lab_move_fail "$guest" "xl migrate failed without rolling back at the sender (exit $rc): $(grep -m 3 -iE 'error|fail' <<<"$out" | paste -sd '|' -)"
    echo "measure: the failed xl migrate of $guest took $LAB_MOVE_MIGRATE_S s"
    LAB_MOVE_NEW_DOMID=$(xl domid "$guest") || lab_move_fail "$guest" "$guest is gone after the failed migration"
    [ "$LAB_MOVE_NEW_DOMID" = "$LAB_MOVE_OLD_DOMID" ] ||
        lab_move_fail "$guest" "$guest changed domid in a rolled-back migration: $LAB_MOVE_OLD_DOMID -> $LAB_MOVE_NEW_DOMID"
    if ! lab_move_await "$guest" "$LAB_MOVE_OLD_DOMID"; then
        lab_move_triple_fault "$LAB_MOVE_OLD_DOMID" >/dev/null || true   # lab_move_show prints it
        lab_move_fail "$guest" "$guest did not come back after the rollback${LAB_FAULT_AT:+: it triple-faulted at $LAB_FAULT_AT}"
    fi
    back=$(lab_now)
    [ "$(lab_guest_exec "$guest" "cat /proc/sys/kernel/random/boot_id")" = "$LAB_MOVE_BOOT_ID" ] ||
        lab_move_fail "$guest" "$guest rebooted in the rolled-back migration"
    LAB_MOVE_AGENT_S=$(lab_seconds "$ended" "$back")
    # The receiver destroys its copy before it exits, but xl waits at most 2 s for it.
    i=0
    while xl list | awk -v g="$guest" '$1 ~ "^" g "--" { found = 1 } END { exit !found }'; do
        [ $i -lt 50 ] || lab_move_fail "$guest" "a domain named $guest--* is left over after the failed migration"
        sleep 0.1; i=$((i + 1))
    done
    echo "ok: $guest rolled back: still domid $LAB_MOVE_NEW_DOMID, same boot; its agent answers $LAB_MOVE_AGENT_S s after xl returned"
}
