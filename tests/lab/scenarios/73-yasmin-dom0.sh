# yasmin between a guest and dom0 (CID 2), both ways: guest-a connects to a server in dom0
# and dom0 to a server in guest-a.  dom0 unloads the module at the end (also when something
# failed), so that guest-a has guest-b as its only peer again when 76-yasmin-teardown takes
# stock.
# timeout: 600
. "$LAB_SHARE/lab/scenarios/lib.sh"

port=5073
subset=blocking-connect,nonblocking-connect,refused,concurrent,shut-wr,peer-close,poll,epoll-et
# unload_dom0 : unloads yasmin in dom0.  A closed socket keeps its module reference until the
# vsock core's connect timer, armed by every non-blocking connect() and never cancelled, has
# fired: up to the connect timeout the test program sets (30 s), so wait up to 40 s.
unload_dom0() {
    for _ in $(seq 200); do
        grep -q '^yasmin ' /proc/modules || return 0
        rmmod yasmin 2>/dev/null || sleep 0.2
    done
    return 1
}
trap 'lab_vsock_stop Domain-0 $port; lab_vsock_stop guest-a $port; unload_dom0 || true' EXIT

lab_yasmin_pair guest-a Domain-0
# dom0 is a prepared peer but has no module yet: nobody answers, the connect times out.
lab_yasmin_load guest-a
lab_vsock_test guest-a connect-timeout 2 $port 1500
lab_yasmin_load Domain-0
lab_assert_eq 2 "$(cat /sys/kernel/yasmin/cid)" "dom0's CID"
lab_vsock_serve Domain-0 $port
lab_vsock_serve guest-a $port

# guest -> dom0
LAB_EXEC_TIMEOUT=280 lab_vsock_test guest-a stream 2 $port $((64 << 20)) --timeout 240
lab_vsock_test guest-a semantics 2 $port --only $subset
# dom0 -> guest
LAB_EXEC_TIMEOUT=280 lab_vsock_test Domain-0 stream "$(lab_cid guest-a)" $port $((64 << 20)) --timeout 240
lab_vsock_test Domain-0 semantics "$(lab_cid guest-a)" $port --only $subset

lab_vsock_stop Domain-0 $port
lab_vsock_stop guest-a $port
lab_yasmin_wait_idle Domain-0
lab_yasmin_wait_idle guest-a
unload_dom0 || lab_fail "dom0: rmmod yasmin fails with no connection left:" \
    "$(grep -E '^(yasmin|vsock) ' /proc/modules) $(lab_yasmin_counters Domain-0)"
echo "ok: dom0 unloaded yasmin"
