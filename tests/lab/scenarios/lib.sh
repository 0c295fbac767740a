# The lab's scenario library, sourced by the dom0 runner and by every scenario (bash, in dom0).
# shellcheck shell=bash

LAB_SHARE=${LAB_SHARE:-/mnt/share}
export PATH="$LAB_SHARE/bin:$PATH"
LAB_RUN=/run/yasmin-lab
LAB_DOM0_IP=10.99.0.1
# Addresses exist only on the bridge inside the emulated machine; QEMU gets no network.
declare -A LAB_GUEST_IP=([guest-a]=10.99.0.11 [guest-b]=10.99.0.12 [guest-pvh]=10.99.0.13)
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
    local guest=$1; shift
    yasmin-lab-agent exec -t "${LAB_EXEC_TIMEOUT:-120}" "$(lab_guest_ip "$guest")" "$*"
}

lab_guest_config() {   # GUEST
    local guest=$1 ip; ip=$(lab_guest_ip "$1")
    local mac; mac=$(printf '00:16:3e:99:00:%02x' "${ip##*.}")
    cat <<CFG
name = "$guest"
type = "${LAB_GUEST_TYPE[$guest]:-pv}"
kernel = "$LAB_SHARE/guest/vmlinux.gz"
ramdisk = "$LAB_SHARE/guest/initrd.gz"
extra = "console=hvc0 yasmin_lab.ip=$ip/24"
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
