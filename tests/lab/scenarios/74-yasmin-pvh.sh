# yasmin between a PVH guest and a PV guest: a 64 MiB stream each way at once with the PVH
# guest as the client, and a subset of the semantics suite with the PV guest as the client.
# The PVH guest is destroyed at the end.
# timeout: 600
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5074
subset=blocking-connect,nonblocking-connect,concurrent,partial-write,shut-wr,peer-close,poll,epoll-et,rcvlowat
lab_start_guests guest-pvh
pvh_domid=$(xl domid guest-pvh)
cleanup() {
    lab_vsock_stop guest-a $port
    xl destroy guest-pvh 2>/dev/null || true
}
trap cleanup EXIT

lab_yasmin_pair guest-pvh guest-a
lab_yasmin_load guest-pvh guest-a
lab_vsock_serve guest-a $port
lab_vsock_serve guest-pvh $port
# The emulated PVH guest is much slower than the PV ones (its clock too: the agent's limit
# in dom0 is kept well above the program's own).
LAB_EXEC_TIMEOUT=300 lab_vsock_test guest-pvh stream "$(lab_cid guest-a)" $port $((64 << 20)) --timeout 200
lab_vsock_test guest-a semantics "$(lab_cid guest-pvh)" $port --only $subset
