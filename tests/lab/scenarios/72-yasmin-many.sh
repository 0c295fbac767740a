# yasmin between two guests: 200 connections open at the same time, each moving 64 KiB both
# ways (through an echo), all driven by one epoll loop in guest-a.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5072
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
trap 'lab_vsock_stop guest-b $port' EXIT
lab_vsock_serve guest-b $port
LAB_EXEC_TIMEOUT=280 lab_vsock_test guest-a many "$(lab_cid guest-b)" $port 200 65536 --timeout 240
