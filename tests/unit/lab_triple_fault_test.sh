#!/bin/bash
# The lab's reading of a PVH guest's triple fault (tests/lab/scenarios/lib.sh, "triple faults";
# docs/lab.md, "The emulated CPU"), on Xen dumps the lab printed (data/xen-triple-faults.log:
# domain 4 in the kernel's x2APIC EOI write, 8 with Xen's own code in its registers, 9 in
# pvclock_clocksource_read, 12 the same dump with RIP moved into yasmin's module space) and a
# guest kallsyms excerpt (data/guest-kallsyms.txt).  xl and the guest agent are faked.  Checks:
# which domains faulted; where each was and whether it is excused (a module's code never is);
# no excuse when the guest that names symbols does not answer; lib-move's pick of the latest
# fault of a moved guest.
# Usage: lab_triple_fault_test.sh SOURCE_DIR
# shellcheck disable=SC2015 # "COND && ok ... || fail ...": ok only echoes, it never fails
set -u
src=$1
data=$src/tests/unit/data
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

LAB_SHARE=$src/tests
# shellcheck source=../lab/scenarios/lib.sh
. "$src/tests/lab/scenarios/lib.sh"
# shellcheck source=../lab/scenarios/lib-move.sh
. "$src/tests/lab/scenarios/lib-move.sh"

xl() { [ "$1" = dmesg ] && cat "$data/xen-triple-faults.log"; }
guest_up=1
# The agent runs the command in the guest: here, on the excerpt instead of /proc/kallsyms.
lab_guest_exec() {
    shift
    [ $guest_up = 1 ] || return 1
    sh -c "${*//\/proc\/kallsyms/$data/guest-kallsyms.txt}"
}

got=$(lab_triple_faults | paste -sd' ')
[ "$got" = "4 8 9 12" ] && ok "the domains that triple-faulted: $got" ||
    fail "lab_triple_faults: '$got', expected '4 8 9 12'"

expect() {   # DOMID IN AT EXCUSED(yes|no)
    local out
    out=$(lab_triple_fault_where "$1"; echo "IN=$LAB_FAULT_IN AT=$LAB_FAULT_AT"
          lab_triple_fault_excused && echo excused || echo "not excused")
    [[ "$out" == *"IN=$2 AT=$3"* ]] && ok "domain $1: in the $2, at $3" ||
        fail "domain $1: expected in the $2 at $3, got: $(tail -n 3 <<<"$out" | paste -sd'|')"
    if [ "$4" = yes ]; then
        [ "$(tail -n 1 <<<"$out")" = excused ] && ok "domain $1: excused" || fail "domain $1: not excused"
    else
        [ "$(tail -n 1 <<<"$out")" = "not excused" ] && ok "domain $1: not excused" || fail "domain $1: excused"
    fi
    [[ "$out" == *"(XEN) d$1v0 Triple fault"*"RIP:"* ]] && ok "domain $1: Xen's dump is shown" ||
        fail "domain $1: Xen's dump is not shown"
}
expect 4 kernel native_apic_msr_eoi_write+0xb yes
expect 8 hypervisor "Xen's ffff82d0402044a5" yes
expect 9 kernel pvclock_clocksource_read+0x15 yes
expect 12 elsewhere ffffffffc0a1b2c3 no

guest_up=0
expect 9 elsewhere ffffffff8107ee05 no
guest_up=1

# lib-move: the moved guest is the domain it started as or a later one (domids only grow).
lab_move_triple_fault 9 >/dev/null
[ "$LAB_FAULT_IN" = elsewhere ] && ok "a move from domain 9: the latest fault, domain 12's, counts" ||
    fail "a move from domain 9: LAB_FAULT_IN=$LAB_FAULT_IN, expected domain 12's (elsewhere)"
if lab_move_triple_fault 13 >/dev/null; then
    fail "a move from domain 13 found a fault"
else
    [ -z "$LAB_FAULT_IN" ] && ok "a move from domain 13: no fault" || fail "a move from domain 13: LAB_FAULT_IN=$LAB_FAULT_IN"
fi

[ $failures -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo "all passed"
