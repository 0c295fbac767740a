# yasmin-vsock-test proven against the kernel's own reference transport: in guest-a, with
# vsock_loopback, the semantics suite, a stream each way at once and 200 concurrent
# connections over CID 1 (VMADDR_CID_LOCAL).  The yasmin scenarios run the same program
# between domains.  vsock_loopback is unloaded again afterwards.
# timeout: 240
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5060
# Unload only what this scenario loads (30-module-domid leaves vsock.ko loaded).
before=$(lab_guest_exec guest-a "cat /proc/modules")
unload="vsock_loopback vmw_vsock_virtio_transport_common"
grep -q '^vsock ' <<<"$before" || unload="$unload vsock"
cleanup() {
    lab_vsock_stop guest-a $port
    # Sockets release the transport module as they finish closing.
    lab_guest_exec guest-a "for m in $unload; do i=0
            while grep -q \"^\$m \" /proc/modules && [ \$i -lt 100 ]; do
                rmmod \$m 2>/dev/null || sleep 0.2; i=\$((i + 1)); done
        done; ! grep -q '^vsock_loopback ' /proc/modules"
}
trap 'cleanup >/dev/null 2>&1' EXIT

lab_guest_exec guest-a "modprobe vsock_loopback" || lab_fail "modprobe vsock_loopback failed"
lab_vsock_serve guest-a $port
lab_vsock_test guest-a semantics 1 $port
lab_vsock_test guest-a stream 1 $port $((64 << 20))
lab_vsock_test guest-a many 1 $port 200 65536

trap - EXIT
cleanup || lab_fail "vsock_loopback could not be unloaded: $(lab_guest_exec guest-a "grep vsock /proc/modules")"
lab_assert_eq "$(grep -c vsock <<<"$before")" \
    "$(lab_guest_exec guest-a "grep -c vsock /proc/modules")" "guest-a: vsock modules as before"
