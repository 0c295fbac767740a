# yasmin-vsock-test proven against the kernel's own reference transport: in guest-a, with
# vsock_loopback, the semantics suite, a stream each way at once, 200 concurrent connections
# and connect/close cycles over CID 1 (VMADDR_CID_LOCAL); then the same for SOCK_SEQPACKET
# (the message suite and a stream of messages).  The yasmin scenarios run the same program
# between domains.  vsock_loopback is unloaded again afterwards.
# timeout: 240
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5060 sport=5064
# Unload only what this scenario loads (30-module-domid leaves vsock.ko loaded).
before=$(lab_guest_exec guest-a "cat /proc/modules")
unload="vsock_loopback vmw_vsock_virtio_transport_common"
grep -q '^vsock ' <<<"$before" || unload="$unload vsock"
cleanup() {
    lab_vsock_stop guest-a $port
    lab_vsock_stop guest-a $sport
    # Sockets release the transport module as they finish closing, a connected one only once
    # the vsock core's connect timer has fired: up to the 30 s connect timeout the test
    # program sets, counted from the last connect.
    lab_guest_exec guest-a "for m in $unload; do i=0
            while grep -q \"^\$m \" /proc/modules && [ \$i -lt 250 ]; do
                rmmod \$m 2>/dev/null || sleep 0.2; i=\$((i + 1)); done
        done; ! grep -q '^vsock_loopback ' /proc/modules"
}
trap 'cleanup >/dev/null 2>&1' EXIT

lab_guest_exec guest-a "modprobe vsock_loopback" || lab_fail "modprobe vsock_loopback failed"
lab_vsock_serve guest-a $port
lab_vsock_test guest-a semantics 1 $port
lab_vsock_test guest-a stream 1 $port $((64 << 20))
lab_vsock_test guest-a many 1 $port 200 65536
lab_vsock_test guest-a cycles 1 $port --count 1000
echo "vsock_loopback: $(lab_number "$LAB_VSOCK_OUT" cycles_per_s) connect/echo/close cycles per second"

# SOCK_SEQPACKET: the message suite (its cross-type check connects to the stream server on
# $port too), then messages both ways at once.
lab_vsock_serve guest-a $sport --type seqpacket
lab_vsock_test guest-a semantics --type seqpacket 1 $sport --cross-port $port
lab_vsock_test guest-a stream --type seqpacket 1 $sport $((16 << 20))

trap - EXIT
cleanup || lab_fail "vsock_loopback could not be unloaded: $(lab_guest_exec guest-a "grep vsock /proc/modules")"
lab_assert_eq "$(grep -c vsock <<<"$before")" \
    "$(lab_guest_exec guest-a "grep -c vsock /proc/modules")" "guest-a: vsock modules as before"
