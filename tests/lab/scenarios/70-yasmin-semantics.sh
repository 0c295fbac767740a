# yasmin between two guests: the socket-semantics suite (the one 60-vsock-loopback runs over
# vsock_loopback) from guest-a against a server on guest-b.  Also records the module's
# resource counters that 76-yasmin-teardown compares with at the end of the lab run.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5070
lab_yasmin_prepare guest-a guest-b
lab_yasmin_load guest-a guest-b
cid=$(lab_cid guest-b)
trap 'lab_vsock_stop guest-b $port' EXIT
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
