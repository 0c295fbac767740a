# yasmin between two guests: 1 GiB each way at once on one connection, every byte checked
# against the sender's generator and a checksum of each direction compared on both ends.
# timeout: 1200
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5071
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
trap 'lab_vsock_stop guest-b $port' EXIT
lab_vsock_serve guest-b $port
LAB_EXEC_TIMEOUT=1150 lab_vsock_test guest-a stream "$(lab_cid guest-b)" $port $((1 << 30)) --timeout 1000
echo "yasmin stream: $(lab_number "$LAB_VSOCK_OUT" MBps_each_way) MB/s each way"
