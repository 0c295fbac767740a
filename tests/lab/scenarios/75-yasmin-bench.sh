# yasmin against the path it replaces, in the same boot: throughput and 1-byte round-trip
# latency from guest-a to guest-b over yasmin (vsock) and over TCP through netfront.  Under
# TCG only the ratios mean anything, and no timing is asserted: only that every run worked.
# timeout: 300
. "$LAB_SHARE/lab/scenarios/lib.sh"

vport=5075 tport=5076 seconds=5 iterations=2000
lab_yasmin_pair guest-a guest-b
lab_yasmin_load guest-a guest-b
trap 'lab_vsock_stop guest-b $vport; lab_vsock_stop guest-b $tport' EXIT
lab_vsock_serve guest-b $vport
lab_vsock_serve guest-b $tport --family tcp

# bench FAMILY ADDR PORT : sets tput (MB/s) and rr (microseconds per round trip).
bench() {
    lab_vsock_test guest-a bench-tput --family "$1" "$2" "$3" $seconds
    tput=$(lab_number "$LAB_VSOCK_OUT" MBps)
    lab_vsock_test guest-a bench-rr --family "$1" "$2" "$3" $iterations
    rr=$(lab_number "$LAB_VSOCK_OUT" usec_per_roundtrip)
    if [ -z "$tput" ] || [ -z "$rr" ]; then lab_fail "$1: no figures in the output"; fi
}
bench vsock "$(lab_cid guest-b)" $vport
yasmin_tput=$tput yasmin_rr=$rr
bench tcp "$(lab_guest_ip guest-b)" $tport
tcp_tput=$tput tcp_rr=$rr

echo "throughput: yasmin $yasmin_tput MB/s, tcp $tcp_tput MB/s:" \
    "yasmin/tcp = $(awk -v y="$yasmin_tput" -v t="$tcp_tput" 'BEGIN { printf "%.2f", y / t }')"
echo "latency: yasmin $yasmin_rr us, tcp $tcp_rr us per round trip:" \
    "tcp/yasmin = $(awk -v y="$yasmin_rr" -v t="$tcp_rr" 'BEGIN { printf "%.2f", t / y }')"
