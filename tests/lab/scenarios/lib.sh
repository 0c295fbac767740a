# The lab's scenario library, sourced by the dom0 runner and by every scenario (bash, in dom0).
# shellcheck shell=bash

LAB_SHARE=${LAB_SHARE:-/mnt/share}
export PATH="$LAB_SHARE/bin:$PATH"
LAB_RUN=/run/yasmin-lab
LAB_DOM0_IP=10.99.0.1
# Addresses exist only on the bridge inside the emulated machine; QEMU gets no network.
# guest-c and guest-d: the second pair of guests of 90-bench-figures (Fig. 7).
declare -A LAB_GUEST_IP=([guest-a]=10.99.0.11 [guest-b]=10.99.0.12 [guest-pvh]=10.99.0.13
                         [guest-c]=10.99.0.14 [guest-d]=10.99.0.15)
declare -A LAB_GUEST_TYPE=([guest-pvh]=pvh)
# The two guests up for every scenario; others are started by the scenarios that need them.
LAB_GUESTS=(guest-a guest-b)

lab_fail() { echo "FAIL: $*" >&2; exit 1; }

lab_assert_eq() {   # EXPECTED ACTUAL WHAT
    [ "$1" = "$2" ] || lab_fail "$3: expected '$1', got '$2'"
    echo "ok: $3 = '$2'"
}

lab_assert_contains() {   # HAYSTACK NEEDLE WHAT
    case "$1" in *"$2"*) echo "ok: $3" ;; *) lab_fail "$3: '$2' not found in: $1" ;; esac
}

lab_assert_not_contains() {   # HAYSTACK NEEDLE WHAT
    case "$1" in *"$2"*) lab_fail "$3: '$2' unexpectedly found in: $1" ;; *) echo "ok: $3" ;; esac
}

lab_guest_ip() { echo "${LAB_GUEST_IP[$1]:?unknown guest $1}"; }

# lab_guest_exec GUEST COMMAND : runs COMMAND with /bin/sh in GUEST; output and exit status
# are the command's (124: timed out after LAB_EXEC_TIMEOUT seconds, 125: agent unreachable).
lab_guest_exec() {
    local guest=$1 rc=0; shift
    yasmin-lab-agent exec -t "${LAB_EXEC_TIMEOUT:-120}" "$(lab_guest_ip "$guest")" "$*" || rc=$?
    [ $rc -ne 124 ] || lab_guest_hung "$guest" "$*" >&2
    return $rc
}

# lab_guest_hung GUEST COMMAND : what a scenario's log needs when a command timed out in
# GUEST (a CI log has nothing else): the guest's console, the tasks blocked in it (sysrq w,
# if its agent still answers) and Xen's view of the domain's event channels.
lab_guest_hung() {
    local guest=$1 domid
    echo "--- $guest: timed out after ${LAB_EXEC_TIMEOUT:-120} s: $2"
    echo "--- $guest: console, last 60 lines"
    tail -n 60 "/var/log/xen/console/guest-$guest.log" 2>/dev/null
    echo "--- $guest: blocked tasks"
    yasmin-lab-agent exec -t 20 "$(lab_guest_ip "$guest")" \
        'echo w >/proc/sysrq-trigger; sleep 1; dmesg | tail -n 80' 2>&1 || true
    domid=$(xl domid "$guest" 2>/dev/null) || return 0
    ! lab_triple_faults | grep -qx "$domid" || lab_triple_fault_where "$domid"
    echo "--- $guest: xl list; Xen's event channels of domain $domid"
    xl list 2>&1
    xl debug-keys e 2>/dev/null && xl dmesg 2>/dev/null | tail -n 600 | awk -v d="$domid" '
        /Event channel information for domain/ { c = $NF; sub(/:$/, "", c) } c == d'
}

# rootfstype=ramfs: the initramfs is unpacked into a tmpfs otherwise, sized half of the RAM
# left while the (decompressed) initrd still occupies it: about 68 MiB of files in 256 MiB,
# which the unmodified programs of 44-preload-programs exceed ("Initramfs unpacking failed:
# write error", the last files missing).  ramfs has no such limit; /tmp and /run stay tmpfs.
lab_guest_config() {   # GUEST
    local guest=$1 ip; ip=$(lab_guest_ip "$1")
    local mac; mac=$(printf '00:16:3e:99:00:%02x' "${ip##*.}")
    cat <<CFG
name = "$guest"
type = "${LAB_GUEST_TYPE[$guest]:-pv}"
kernel = "$LAB_SHARE/guest/vmlinux.gz"
ramdisk = "$LAB_SHARE/guest/initrd.gz"
extra = "console=hvc0 rootfstype=ramfs yasmin_lab.ip=$ip/24"
memory = 256
vcpus = 1
vif = [ "bridge=xenbr0,mac=$mac,ip=$ip" ]
on_crash = "preserve"
CFG
}

# lab_setup_host : the Xen host's own services (xenstored, xenconsoled) and the guests' bridge.
lab_setup_host() {
    /etc/init.d/xen start
    xenstore-ls /local/domain/0 >/dev/null
    ip link add xenbr0 type bridge
    ip addr add "$LAB_DOM0_IP/24" dev xenbr0
    ip link set xenbr0 up
    xl info | grep -E '^(xen_version|xen_caps|total_memory|free_memory|nr_cpus)'
    lab_start_yasmind
}

# lab_start_yasmind : yasmind as an operator runs it, from its init script after xen's and
# before any guest: detached, logging to syslog (busybox syslogd into /var/log/messages,
# copied out with the logs as dom0-syslog.log), at debug level for the lab.
LAB_YASMIND_PIDFILE=/run/yasmind.pid
lab_start_yasmind() {
    pidof syslogd >/dev/null || busybox syslogd -O /var/log/messages
    echo 'YASMIND_OPTS="--log-level debug"' >/etc/default/yasmind
    /etc/init.d/yasmind start || lab_fail "/etc/init.d/yasmind start failed"
    /etc/init.d/yasmind status || lab_fail "/etc/init.d/yasmind status: not running"
    echo "yasmind running as pid $(cat "$LAB_YASMIND_PIDFILE")"
}

# lab_start_guests GUEST... : creates the guests concurrently and waits for their agents.
lab_start_guests() {
    local guest pids=() rc=0
    mkdir -p "$LAB_RUN"
    for guest in "$@"; do
        lab_guest_config "$guest" >"$LAB_RUN/$guest.cfg"
        xl create "$LAB_RUN/$guest.cfg" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
    [ $rc -eq 0 ] || lab_fail "xl create failed"
    for guest in "$@"; do
        yasmin-lab-agent wait -t 120 "$(lab_guest_ip "$guest")" ||
            lab_fail "$guest: agent did not answer within 120 s"
        echo "$guest is up as domid $(xl domid "$guest")"
    done
    xl list
}

# --- triple faults: the emulator's --------------------------------------------------------------
# Under the lab's emulation (QEMU TCG emulating AMD SVM with nested paging, under Xen's HVM
# code) a PVH guest now and then triple-faults: in the kernel's own code - x2APIC register
# writes (native_apic_msr_eoi_write, lapic_resume), pvclock_clocksource_read - or with Xen's
# own code in the vCPU's registers (cs e008), which no guest can cause; at boot, at a suspend
# request or on resume, with yasmin loaded or never loaded, always on pCPU 0 so far, rarely
# and then several in a row (docs/lab.md, "The emulated CPU", has what was seen).  Xen logs
# "dNvM Triple fault" and the vCPU's registers, and shuts the domain down as for a reboot.
# A fault in a module's code (yasmin's) is never excused.

# lab_triple_faults : the domids Xen logged a triple fault for, one per line, in order.  The
# Xen console ring holds the whole run (tests/lab/run: conring_size).
lab_triple_faults() {
    xl dmesg 2>/dev/null | sed -n 's/^(XEN) d\([0-9]*\)v[0-9]* Triple fault.*/\1/p' | sort -nu
}

# lab_kernel_symbol ADDRESS : "symbol+0xOFFSET" when ADDRESS (hex, as Xen prints it) is in the
# text of the guests' kernel, nothing otherwise (a module, or no code at all).  Read in guest-a's
# /proc/kallsyms: every lab guest boots the same image, and PV and PVH guests load it where it
# was linked (no KASLR: the decompressor that would randomise it is not run).
lab_kernel_symbol() {
    local line
    line=$(LAB_EXEC_TIMEOUT=30 lab_guest_exec guest-a "awk -v r=$1 '
        \$3 == \"_stext\" { lo = \$1 } \$3 == \"_etext\" { hi = \$1 }
        \$2 ~ /^[tT]\$/ && \$1 <= r && \$1 > best { best = \$1; name = \$3 }
        END { if (lo != \"\" && lo <= r && r < hi) print best, name }' /proc/kallsyms" 2>/dev/null) ||
        return 0
    [ -n "$line" ] || return 0
    printf '%s+0x%x\n' "${line#* }" $((16#$1 - 16#${line%% *}))
}

# lab_triple_fault_where DOMID : prints Xen's dump of DOMID's triple fault and where the vCPU
# was; sets LAB_FAULT_AT (a kernel symbol, or the address) and LAB_FAULT_IN: "kernel" (the
# guest kernel's own text), "hypervisor" (Xen's code segment: the emulator handed Xen its own
# state as the guest's) or "elsewhere" (a module's code, yasmin's included, or unknown).
lab_triple_fault_where() {
    local d=$1 log cs rip sym
    log=$(xl dmesg 2>/dev/null)
    echo "--- Xen: domain $d triple-faulted"
    awk -v d="$d" '$2 ~ "^d" d "v" && /Triple fault/ { n = 14 } n-- > 0' <<<"$log" | tail -n 14 | sed 's/^/  /'
    # "(XEN) RIP:    0010:[<ffffffff8107505b>]": code segment and address.
    rip=$(awk -v d="$d" '$2 ~ "^d" d "v" && /Triple fault/ { p = 1 } p && $2 == "RIP:" { print $3; p = 0 }' <<<"$log" |
        tail -n 1)
    cs=${rip%%:*} rip=$(sed -n 's/.*\[<\([0-9a-f]*\)>\].*/\1/p' <<<"$rip")
    sym=
    [ -z "$rip" ] || [ "$cs" = e008 ] || sym=$(lab_kernel_symbol "$rip")
    if [ -n "$sym" ]; then
        LAB_FAULT_IN=kernel LAB_FAULT_AT=$sym
        echo "Xen: domain $d triple-faulted at $sym, in the kernel's own code"
    elif [ "$cs" = e008 ]; then
        LAB_FAULT_IN=hypervisor LAB_FAULT_AT="Xen's $rip"
        echo "Xen: domain $d triple-faulted with Xen's own code in its registers ($rip): the emulator's"
    else
        LAB_FAULT_IN=elsewhere LAB_FAULT_AT=${rip:-an address xl dmesg no longer has}
        echo "Xen: domain $d triple-faulted at $LAB_FAULT_AT, not in the kernel's own code (a module's?)"
    fi
}

# lab_triple_fault_excused : whether the last lab_triple_fault_where found one the emulator is
# known for (above).
lab_triple_fault_excused() { [ "${LAB_FAULT_IN:-}" = kernel ] || [ "${LAB_FAULT_IN:-}" = hypervisor ]; }

# --- vsock and yasmin ------------------------------------------------------------------------
# DOMAIN below is a guest name or Domain-0 (dom0 itself, where the scenarios run).

lab_domid() {   # DOMAIN
    if [ "$1" = Domain-0 ]; then echo 0; else xl domid "$1"; fi
}

# lab_cid DOMAIN : the domain's vsock CID under yasmin (domid + 2: dom0 is 2).
lab_cid() { echo $(($(lab_domid "$1") + 2)); }

# lab_exec DOMAIN COMMAND : lab_guest_exec, or /bin/sh in dom0 itself (same timeout).
lab_exec() {
    local domain=$1; shift
    if [ "$domain" = Domain-0 ]; then
        timeout -k 5 "${LAB_EXEC_TIMEOUT:-120}" sh -c "$*" 2>&1
    else
        lab_guest_exec "$domain" "$*"
    fi
}

# lab_vsock_test DOMAIN ARGS... : runs yasmin-vsock-test (tests/lab/tools/vsock_test.c) in
# DOMAIN and shows its output, also kept in LAB_VSOCK_OUT; fails the scenario if any of its
# checks failed.  Long runs raise LAB_EXEC_TIMEOUT.
lab_vsock_test() {
    local domain=$1 rc=0; shift
    echo "--- $domain: yasmin-vsock-test $*"
    LAB_VSOCK_OUT=$(lab_exec "$domain" "yasmin-vsock-test $*") || rc=$?
    echo "$LAB_VSOCK_OUT"
    [ $rc -eq 0 ] || lab_fail "$domain: yasmin-vsock-test $1 failed (exit $rc)"
}

# lab_vsock_serve DOMAIN PORT [OPTIONS...] : a detached yasmin-vsock-test server in DOMAIN,
# its pid and log in /run/yasmin-vsock-test-PORT.{pid,log} there.
lab_vsock_serve() {
    local domain=$1 port=$2; shift 2
    local base=/run/yasmin-vsock-test-$port
    lab_exec "$domain" "yasmin-vsock-test serve --daemon --pidfile $base.pid --log $base.log $* $port" ||
        lab_fail "$domain: yasmin-vsock-test serve $* $port did not start"
}

# lab_vsock_stop DOMAIN PORT : stops that server (and waits until it is gone, so that its
# sockets are closed) and shows what it logged.
lab_vsock_stop() {
    local domain=$1 base=/run/yasmin-vsock-test-$2
    lab_exec "$domain" "[ -f $base.pid ] || exit 0; pid=\$(cat $base.pid); kill \$pid
        i=0; while kill -0 \$pid 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
        rm -f $base.pid; sed 's/^/  server: /' $base.log; rm -f $base.log" || true
}

# lab_xs_perms PATH : the node's ACL as xenstore-ls -p shows it, e.g. "n0,r3".
lab_xs_perms() {
    xenstore-ls -f -p "${1%/*}" | awk -v path="$1" '$1 == path { sub(/.*\(/, ""); sub(/\)$/, ""); print; exit }'
}

# lab_yasmin_pair A B : waits (5 s at most) until yasmind has published the pair: each one's
# view lists the other and each one's rendezvous directory for the other exists.  Prints them.
lab_yasmin_pair() {
    local a b i=0
    a=$(lab_domid "$1") b=$(lab_domid "$2")
    until lab_yasmin_pair_ready "$a" "$b"; do
        [ $i -lt 50 ] || lab_fail "yasmind did not publish the pair $1 ($a) / $2 ($b) within 5 s"
        sleep 0.1; i=$((i + 1))
    done
    xenstore-ls -f -p "/local/domain/$a/yasmin/rendezvous/$b" "/local/domain/$b/yasmin/rendezvous/$a"
}
lab_yasmin_pair_ready() {   # DOMID_A DOMID_B
    xenstore-exists "/local/domain/$1/yasmin/peers/$2/cid" &&
        xenstore-exists "/local/domain/$2/yasmin/peers/$1/cid" &&
        xenstore-exists "/local/domain/$1/yasmin/rendezvous/$2" &&
        xenstore-exists "/local/domain/$2/yasmin/rendezvous/$1"
}

# lab_yasmin_load DOMAIN... : loads yasmin.ko (already loaded is fine).
lab_yasmin_load() {
    local domain out
    for domain in "$@"; do
        out=$(lab_exec "$domain" "modprobe yasmin || grep -q '^yasmin ' /proc/modules") ||
            lab_fail "$domain: modprobe yasmin failed: $out"
        echo "ok: yasmin loaded in $domain (CID $(lab_exec "$domain" "cat /sys/kernel/yasmin/cid"))"
    done
}

# The module's resource counters and its interrupt lines, as one line "grants_active=N
# maps_active=N event_channels=N connections=N grant_budget_used=N map_budget_used=N irqs=N"
# (a shell snippet).
# shellcheck disable=SC2016 # expanded by the domain's shell
LAB_YASMIN_COUNTERS='for f in grants_active maps_active event_channels connections \
        grant_budget_used map_budget_used; do
        printf "%s=%s " $f "$(cat /sys/kernel/yasmin/$f)"; done
    printf "irqs=%s\n" "$(grep -c yasmin /proc/interrupts)"'

lab_yasmin_counters() {   # DOMAIN
    lab_exec "$1" "$LAB_YASMIN_COUNTERS"
}

# lab_yasmin_peer_field DOMAIN FIELD [PEER_DOMID] : FIELD (a column's name in the header of
# /proc/net/yasmin_peers) of DOMAIN's line for that peer, or "domid:value ..." for every peer.
lab_yasmin_peer_field() {
    lab_exec "$1" "awk -v f=$2 -v d='${3:-}' 'NR == 1 { for (i = 1; i <= NF; i++) if (\$i == f) c = i; next }
        c && d == \"\" { printf \"%s:%s \", \$1, \$c } c && \$1 == d { print \$c }' /proc/net/yasmin_peers"
}

# lab_yasmin_save DOMAIN LABEL : records the counters in /run/yasmin-lab/ (dom0), for
# lab_yasmin_expect in a later scenario of the same lab run.
lab_yasmin_save() {
    mkdir -p "$LAB_RUN"
    lab_yasmin_counters "$1" >"$LAB_RUN/yasmin-$1.$2"
    echo "$1 $2: $(cat "$LAB_RUN/yasmin-$1.$2")"
}

# lab_yasmin_until DOMAIN CONDITION : waits up to 10 s, in the domain itself, until the shell
# CONDITION holds there (\$counters: the counters line), and prints the counters.
lab_yasmin_until() {
    lab_exec "$1" "c() { $LAB_YASMIN_COUNTERS; }; i=0; counters=\$(c)
        until $2 || [ \$i -ge 50 ]; do sleep 0.2; i=\$((i + 1)); counters=\$(c); done
        echo \"\$counters\""
}

# lab_yasmin_expect DOMAIN LABEL : the counters come back to the recorded ones within 10 s.
lab_yasmin_expect() {
    local want
    want=$(cat "$LAB_RUN/yasmin-$1.$2") || lab_fail "no '$2' counters recorded for $1"
    lab_assert_eq "$want" "$(lab_yasmin_until "$1" "[ \"\$counters\" = '$want' ]")" \
        "$1: yasmin counters back to '$2'"
}

# lab_yasmin_wait_idle DOMAIN : waits up to 10 s for the module to have no connection left.
lab_yasmin_wait_idle() {
    local now
    now=$(lab_yasmin_until "$1" "[ \"\$(cat /sys/kernel/yasmin/connections)\" = 0 ]")
    lab_assert_contains "$now" " connections=0 " "$1: no yasmin connection left"
}

# lab_number OUTPUT KEY : the number after KEY= in a yasmin-vsock-test result line.
lab_number() {
    sed -n "s/.*[ ]$2=\([0-9.]*\).*/\1/p" <<<"$1" | tail -n 1
}
