# yasmin between two guests: the socket-semantics suite (the one 60-vsock-loopback runs over
# vsock_loopback) from guest-a against a server on guest-b.  Also records the module's
# resource counters that 76-yasmin-teardown compares with at the end of the lab run.
# Last, as a check of its own, the SOCK_SEQPACKET suite (proven over vsock_loopback in 60):
# yasmin frames each message with an 8-byte record header in its ring (docs/contract.md), so
# its largest message is the buffer size less 8 (--record-overhead 8).
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5070 sport=5068   # sport + 1: the seqpacket suite's refused port
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
cid=$(lab_cid guest-b)
trap 'lab_vsock_stop guest-b $port; lab_vsock_stop guest-b $sport' EXIT
lab_vsock_serve guest-b $port

# "idle": before any connection; "settled": once a first connection has come and gone, with
# whatever per-peer control channel it set up still there.
lab_yasmin_save guest-a idle
lab_yasmin_save guest-b idle
lab_vsock_test guest-a bench-rr "$cid" $port 1
lab_yasmin_wait_idle guest-a
lab_yasmin_wait_idle guest-b
lab_yasmin_save guest-a settled
lab_yasmin_save guest-b settled

lab_vsock_test guest-a semantics "$cid" $port

echo "=== yasmin SOCK_SEQPACKET: the message suite from guest-a against guest-b"
lab_vsock_serve guest-b $sport --type seqpacket
rc=0
out=$(lab_exec guest-a "yasmin-vsock-test semantics --type seqpacket $cid $sport --cross-port $port --record-overhead 8") ||
    rc=$?
echo "$out"
[ $rc -eq 0 ] || lab_fail "yasmin SOCK_SEQPACKET (guest-a -> guest-b) fails (exit $rc; the stream" \
    "suite above passed): $(grep -m 1 '^FAIL' <<<"$out")"
echo "ok: yasmin SOCK_SEQPACKET: the message suite passes between the guests"
