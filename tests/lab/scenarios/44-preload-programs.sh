# Unmodified programs, Debian's own builds, under yasmin-run on both sides: each server in
# guest-b, its client in guest-a, and the traffic between them over yasmin, proved by guest-a's
# byte counters for guest-b in /proc/net/yasmin_peers (sent and received grow by at least the
# data moved), with the data checked byte for byte wherever a program moves data:
#   - iperf3 both ways (-R too), NetPIPE (NPtcp), sockperf ping-pong: their figures;
#   - python3 -m http.server and nginx serving a 100 MiB file to curl (sha256 compared), and
#     wrk against nginx for 3 s; redis-server with redis-cli SET/GET of a 1 MiB value (sha256
#     compared) and a short redis-benchmark; nc -l / nc moving a 64 MiB file (sha256);
#   - yasmin-epoll-echo (tools/epoll_et_echo.c): 8 connections at once on edge-triggered epoll,
#     every byte echoed back and checked.
# Then the fallbacks, where the counters must not move and the data must still be right:
#   (a) a server run without the preload (iperf3, http.server): vsock refused, plain TCP;
#   (b) an address of guest-b that is not in guest-a's view (an alias on its eth0, which
#       yasmind does not publish): plain TCP at once.
# Each case runs on when another failed; the scenario fails at the end if any did, after a
# summary of the figures.  The 100 MiB files are sparse (see make_file): the guests' 256 MiB
# of RAM also hold the initramfs with all these programs.
# timeout: 1200
. "$LAB_SHARE/lab/scenarios/lib.sh"
. "$LAB_SHARE/lab/scenarios/lib-programs.sh"

prog_setup
b_ip=$PROG_B_IP a_ip=$PROG_A_IP
alias_ip=10.99.0.112   # guest-b's second address in fallback (b)
mib=$((1 << 20))
http_server="python3 -m http.server 8000 --bind 0.0.0.0 --directory /tmp/www"
summary=$LAB_RUN/preload-programs.summary
mkdir -p "$LAB_RUN"
: >"$summary"

record() {   # WHAT FIGURE : a line of the summary printed at the end
    printf '  %-46s %s\n' "$1" "$2" >>"$summary"
}

# make_file GUEST PATH MIB : a sparse file of MIB MiB whose every 64 KiB starts with 4 KiB of
# pseudo-random bytes (seeded by the path) and is a hole after that: no two 64 KiB blocks
# alike, so a lost, doubled or misplaced block changes the checksum, while the guest's RAM
# holds 1/16 of the file.  Prints its sha256.
make_file() {
    lab_guest_exec "$1" "mkdir -p \$(dirname $2) && python3 -c '
import random, sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(path)
with open(path, \"wb\") as f:
    for offset in range(0, size, 1 << 16):
        f.seek(offset)
        f.write(rng.randbytes(4096))
    f.truncate(size)
' $2 $3 && sha256sum $2 | cut -d' ' -f1"
}

# client NAME COMMAND : under yasmin-run in guest-a.
client() { prog_client "$1" yes "$2"; }

# run_case NAME FUNCTION : runs a case in a subshell (errexit applies there: it is started in
# the background, never tested with ||); a failure is recorded and the next case runs.
failed_cases=()
run_case() {
    local rc=0
    echo; echo "=== $1"
    ( "$2" ) &
    wait $! || rc=$?
    if [ $rc -ne 0 ]; then
        failed_cases+=("$1")
        record "$1" FAILED
    fi
}

# The files served and sent, made once (checksums in dom0).
big_sum=$(make_file guest-b /tmp/www/big.bin 100)
lab_guest_exec guest-b "head -c 4096 /tmp/www/big.bin >/tmp/www/small.bin"   # for wrk
nc_sum=$(make_file guest-a /tmp/nc.bin 64)
value_sum=$(lab_guest_exec guest-a "python3 -c '
import random; open(\"/tmp/redis.val\", \"wb\").write(random.Random(6379).randbytes(1 << 20))
' && sha256sum /tmp/redis.val | cut -d' ' -f1")
echo "sha256: guest-b's /tmp/www/big.bin $big_sum"
echo "sha256: guest-a's /tmp/nc.bin $nc_sum, /tmp/redis.val $value_sum"
cleanup() {
    lab_guest_exec guest-b "rm -rf /tmp/www /tmp/nginx /tmp/*.debug /tmp/*.log /tmp/*.sum" || true
    lab_guest_exec guest-a "rm -f /tmp/nc.bin /tmp/redis.val /tmp/np.out /tmp/*.debug" || true
}
trap cleanup EXIT

# --- the programs over yasmin ----------------------------------------------------------------

case_iperf3() {
    local before out
    prog_server_start iperf3 5201 yes "iperf3 -s -p 5201"
    trap 'prog_server_stop iperf3' EXIT
    before=$(prog_counters)
    out=$(client iperf3 "iperf3 -c $b_ip -p 5201 -n $((64 * mib)) -f m 2>&1")
    grep -E 'sender$|receiver$' <<<"$out"
    lab_assert_contains "$out" "iperf Done" "iperf3 -c: the test completed"
    prog_decisions guest-a iperf3
    prog_expect_yasmin "iperf3 -c (64 MiB guest-a -> guest-b)" "$before" $((64 * mib)) 0
    record "iperf3 guest-a -> guest-b, yasmin" "$(prog_iperf3_rate "$out")"
    before=$(prog_counters)
    out=$(client iperf3-R "iperf3 -c $b_ip -p 5201 -n $((64 * mib)) -R -f m 2>&1")
    grep -E 'sender$|receiver$' <<<"$out"
    lab_assert_contains "$out" "iperf Done" "iperf3 -c -R: the test completed"
    prog_expect_yasmin "iperf3 -c -R (64 MiB guest-b -> guest-a)" "$before" 0 $((64 * mib))
    record "iperf3 -R guest-b -> guest-a, yasmin" "$(prog_iperf3_rate "$out")"
}

case_netpipe() {
    local before out
    # The receiver serves one run and exits.  -n 20: a fixed number of round trips per size
    # (NetPIPE's own calibration takes minutes emulated); up to 1 MiB messages.
    prog_server_start netpipe 5002 yes "NPtcp -P 5002"
    trap 'prog_server_stop netpipe' EXIT
    before=$(prog_counters)
    out=$(client netpipe "NPtcp -h $b_ip -P 5002 -u $mib -n 20 -o /tmp/np.out 2>&1")
    head -n 3 <<<"$out"; echo "  ..."; tail -n 2 <<<"$out"
    lab_assert_contains "$out" "$((mib + 3)) bytes" "NPtcp went up to 1 MiB messages"
    prog_decisions guest-a netpipe
    # The last size alone: 20 times 1 MiB each way.
    prog_expect_yasmin "NPtcp" "$before" $((20 * mib)) $((20 * mib))
    record "NPtcp, yasmin" "$(awk '$3 == "bytes" { if ($7 > max) max = $7 }
        $2 == 1 && $3 == "bytes" { lat = $10 }
        END { printf "max %s Mbps, %s us for 1 byte", max, lat }' <<<"$out")"
}

case_sockperf() {
    local before out messages
    prog_server_start sockperf 11111 yes "sockperf server --tcp -i 0.0.0.0 -p 11111"
    trap 'prog_server_stop sockperf' EXIT
    before=$(prog_counters)
    out=$(client sockperf "sockperf ping-pong --tcp -i $b_ip -p 11111 -t 3 -m 64 2>&1" |
        sed 's/\x1b\[[0-9;]*m//g')
    grep -E 'Total Run|Summary|dropped' <<<"$out"
    lab_assert_contains "$out" \
        "# dropped messages = 0; # duplicated messages = 0; # out-of-order messages = 0" \
        "sockperf: no message lost, doubled or reordered"
    messages=$(sed -n 's/.*\[Total Run\].*SentMessages=\([0-9]*\);.*/\1/p' <<<"$out")
    [ "${messages:-0}" -gt 0 ] || lab_fail "sockperf sent no messages"
    prog_decisions guest-a sockperf
    prog_expect_yasmin "sockperf ping-pong ($messages messages of 64 bytes)" "$before" \
        $((messages * 64)) $(((messages - 1) * 64))
    record "sockperf ping-pong 64 B, yasmin" \
        "$(sed -n 's/.*Summary: Latency is \(.*\)/\1/p' <<<"$out")"
}

# fetch NAME URL : curl in guest-a under yasmin-run, twice: into sha256sum (the data), then
# into /dev/null for the speed (emulated, sha256sum is slower than the transport).  Prints the
# checksum, then the second one's "size=... speed=...".
fetch() {
    client "$1" "curl -sS $2 | sha256sum | cut -d' ' -f1 &&
        curl -sS -o /dev/null -w 'size=%{size_download} speed=%{speed_download}\n' $2"
}
# check_fetch WHAT OUTPUT : the checksum of the 100 MiB file; records the speed.
check_fetch() {
    local speed
    lab_assert_contains "$2" "$big_sum" "$1: the 100 MiB file arrived intact (sha256)"
    lab_assert_contains "$2" "size=$((100 * mib)) " "$1: 100 MiB"
    speed=$(sed -n 's/^size=[0-9]* speed=\([0-9]*\).*/\1/p' <<<"$2")
    record "$1" "$(awk -v s="${speed:-0}" 'BEGIN { printf "%.1f MB/s", s / 1e6 }')"
}

case_http_server() {
    local before out
    prog_server_start http 8000 yes "$http_server"
    trap 'prog_server_stop http' EXIT
    before=$(prog_counters)
    out=$(fetch curl-http "http://$b_ip:8000/big.bin")
    prog_decisions guest-a curl-http
    prog_expect_yasmin "curl from python3 -m http.server" "$before" 0 $((100 * mib))
    check_fetch "curl <- python3 http.server, yasmin" "$out"
}

case_redis() {
    local before out
    prog_server_start redis 6379 yes \
        "redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save '' --appendonly no"
    trap 'prog_server_stop redis' EXIT
    before=$(prog_counters)
    out=$(client redis-set "redis-cli -h $b_ip -p 6379 -x SET yasmin:value </tmp/redis.val")
    lab_assert_eq OK "$out" "redis-cli SET of the 1 MiB value"
    # --raw prints the value and a newline.
    out=$(client redis-get "redis-cli -h $b_ip -p 6379 --raw GET yasmin:value | head -c $mib |
        sha256sum | cut -d' ' -f1")
    lab_assert_eq "$value_sum" "$out" "redis-cli GET: the value came back intact (sha256)"
    out=$(client redis-strlen "redis-cli -h $b_ip -p 6379 STRLEN yasmin:value")
    lab_assert_eq "$mib" "$out" "redis-cli STRLEN"
    prog_decisions guest-a redis-get
    prog_expect_yasmin "redis-cli SET and GET" "$before" "$mib" "$mib"
    before=$(prog_counters)
    out=$(client redis-benchmark "redis-benchmark -h $b_ip -p 6379 -n 2000 -c 4 -q -t ping,set,get |
        tr '\r' '\n' | grep 'requests per second'")
    lab_assert_contains "$out" "GET: " "redis-benchmark ran"
    prog_expect_yasmin "redis-benchmark" "$before" 1 1
    record "redis-benchmark -n 2000 -c 4, yasmin (req/s)" \
        "$(sed -n 's/^\([A-Z_]*\): \([0-9.]*\) requests.*/\1 \2/p' <<<"$out" | paste -sd' ')"
}

case_nginx() {
    local before out
    # Everything nginx writes goes under /tmp/nginx (its compiled-in paths are /var/...).
    lab_guest_exec guest-b "mkdir -p /tmp/nginx && cat >/tmp/nginx/nginx.conf <<'CONF'
user root;
worker_processes 1;
daemon off;
pid /tmp/nginx/nginx.pid;
error_log /tmp/nginx/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    client_body_temp_path /tmp/nginx/body;
    proxy_temp_path /tmp/nginx/proxy;
    fastcgi_temp_path /tmp/nginx/fastcgi;
    uwsgi_temp_path /tmp/nginx/uwsgi;
    scgi_temp_path /tmp/nginx/scgi;
    server { listen 8080; root /tmp/www; }
}
CONF"
    prog_server_start nginx 8080 yes "nginx -c /tmp/nginx/nginx.conf"
    trap 'prog_server_stop nginx; lab_guest_exec guest-b "cat /tmp/nginx/error.log" || true' EXIT
    before=$(prog_counters)
    out=$(fetch curl-nginx "http://$b_ip:8080/big.bin")
    prog_decisions guest-a curl-nginx
    prog_expect_yasmin "curl from nginx" "$before" 0 $((100 * mib))
    check_fetch "curl <- nginx, yasmin" "$out"
    before=$(prog_counters)
    out=$(client wrk "wrk -t 1 -c 4 -d 3s http://$b_ip:8080/small.bin 2>&1")
    echo "$out"
    lab_assert_not_contains "$out" "Socket errors" "wrk: no socket error"
    lab_assert_not_contains "$out" "Non-2xx" "wrk: every answer 200"
    prog_expect_yasmin "wrk" "$before" 1 4096
    record "wrk -c 4 -d 3s (4 KiB) <- nginx, yasmin" \
        "$(awk '/^Requests\/sec/ { print $2 " req/s" }' <<<"$out")"
}

case_nc() {
    local before out
    prog_server_start nc 5300 yes "sh -c 'nc.openbsd -l -d 5300 | sha256sum >/tmp/nc.sum'"
    trap 'prog_server_stop nc' EXIT
    before=$(prog_counters)
    client nc "nc.openbsd -N $b_ip 5300 </tmp/nc.bin"
    prog_decisions guest-a nc
    out=$(lab_guest_exec guest-b "i=0; while ! [ -s /tmp/nc.sum ] && [ \$i -lt 100 ]; do
        sleep 0.1; i=\$((i + 1)); done; cut -d' ' -f1 /tmp/nc.sum")
    lab_assert_eq "$nc_sum" "$out" "nc: the 64 MiB file arrived intact (sha256)"
    prog_expect_yasmin "nc" "$before" $((64 * mib)) 0
    record "nc -N -> nc -l, 64 MiB, yasmin" "sha256 equal"
}

case_epoll_echo() {
    local before out result
    prog_server_start echo 5400 yes "yasmin-epoll-echo serve 5400 --exit-after 8"
    trap 'prog_server_stop echo' EXIT
    before=$(prog_counters)
    result=$(client epoll-echo "yasmin-epoll-echo client $b_ip 5400 $((4 * mib)) 8")
    echo "$result"
    lab_assert_contains "$result" "ok: 8 connections x $((4 * mib)) bytes echoed byte-exact" \
        "yasmin-epoll-echo: 8 connections at once, every byte echoed"
    prog_decisions guest-a epoll-echo
    prog_expect_yasmin "yasmin-epoll-echo" "$before" $((32 * mib)) $((32 * mib))
    # The server served all 8 and saw guest-a's address as the peer (getpeername).
    out=$(lab_guest_exec guest-b "i=0
        while ! grep -q '^ok: served' /tmp/echo.log && [ \$i -lt 100 ]; do
            sleep 0.1; i=\$((i + 1)); done; cat /tmp/echo.log")
    lab_assert_contains "$out" "ok: served 8 connections (8 accepted)" \
        "the epoll server served 8 connections"
    lab_assert_contains "$out" "info: $a_ip:" "the server sees guest-a's address as the peer"
    record "yasmin-epoll-echo 8 x 4 MiB, yasmin" \
        "$(sed -n 's/.*(\(.* MiB\/s\) each way).*/\1 each way/p' <<<"$result")"
}

# --- fallbacks -------------------------------------------------------------------------------

case_no_preload_server() {
    local before out
    prog_server_start iperf3-plain 5201 no "iperf3 -s -p 5201"
    trap 'prog_server_stop iperf3-plain' EXIT
    before=$(prog_counters)
    out=$(client iperf3-plain "iperf3 -c $b_ip -p 5201 -n $((64 * mib)) -f m 2>&1")
    grep -E 'sender$|receiver$' <<<"$out"
    lab_assert_contains "$out" "iperf Done" "iperf3 -c to a server without the preload"
    record "iperf3 guest-a -> guest-b, TCP (no preload)" "$(prog_iperf3_rate "$out")"
    out=$(prog_decisions guest-a iperf3-plain); echo "$out"
    lab_assert_contains "$out" "failed (Connection refused), tcp" \
        "the client was refused on vsock and fell back"
    prog_expect_tcp "iperf3 to a server without the preload" "$before"
    out=$(client iperf3-plain-R "iperf3 -c $b_ip -p 5201 -n $((64 * mib)) -R -f m 2>&1")
    grep -E 'sender$|receiver$' <<<"$out"
    lab_assert_contains "$out" "iperf Done" "iperf3 -c -R to a server without the preload"
    record "iperf3 -R guest-b -> guest-a, TCP (no preload)" "$(prog_iperf3_rate "$out")"
    prog_expect_tcp "iperf3 -R to a server without the preload" "$before"
    prog_server_stop iperf3-plain
    prog_server_start http-plain 8000 no "$http_server"
    trap 'prog_server_stop http-plain' EXIT
    before=$(prog_counters)
    out=$(fetch curl-http-plain "http://$b_ip:8000/big.bin")
    prog_decisions guest-a curl-http-plain
    prog_expect_tcp "curl from http.server without the preload" "$before"
    check_fetch "curl <- python3 http.server, TCP (no preload)" "$out"
}

case_not_in_view() {
    local before out
    lab_guest_exec guest-b "ip addr add $alias_ip/24 dev eth0"
    trap 'prog_server_stop http-alias
        lab_guest_exec guest-b "ip addr del $alias_ip/24 dev eth0" || true' EXIT
    sleep 2   # time for anything that would publish it (nothing should)
    out=$(lab_guest_exec guest-a "cat /proc/net/yasmin_view")
    lab_assert_not_contains "$out" "$alias_ip " "guest-b's alias $alias_ip is not in guest-a's view"
    prog_server_start http-alias 8000 yes "$http_server"
    before=$(prog_counters)
    out=$(fetch curl-alias "http://$alias_ip:8000/big.bin")
    check_fetch "curl <- http.server via $alias_ip, TCP" "$out"
    out=$(prog_decisions guest-a curl-alias); echo "$out"
    lab_assert_contains "$out" "tcp (not-in-view)" \
        "the preload left the address alone: not in the view"
    prog_expect_tcp "curl to an address not in the view" "$before"
}

run_case "iperf3" case_iperf3
run_case "NetPIPE (NPtcp)" case_netpipe
run_case "sockperf" case_sockperf
run_case "python3 -m http.server + curl" case_http_server
run_case "redis-server + redis-cli, redis-benchmark" case_redis
run_case "nginx + curl, wrk" case_nginx
run_case "nc" case_nc
run_case "yasmin-epoll-echo (epoll, edge-triggered)" case_epoll_echo
run_case "fallback (a): servers without the preload" case_no_preload_server
run_case "fallback (b): an address not in the view" case_not_in_view

echo; echo "=== summary (emulated: only the ratios mean anything)"
cat "$summary"
lab_exec guest-a "head -n 1 /proc/net/yasmin_peers; grep '^$PROG_B ' /proc/net/yasmin_peers" || true
[ ${#failed_cases[@]} -eq 0 ] || lab_fail "${#failed_cases[@]} case(s) failed: ${failed_cases[*]}"
echo "ok: every program worked over yasmin, and fell back to TCP where it should"
