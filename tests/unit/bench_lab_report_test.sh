#!/bin/sh
# bench/lab_report.py on a synthetic CSV of 3 repeats: the per-repeat ratios, their median and
# range on the page, the headline table, "Where yasmin loses", the native summary's headings
# demoted, the PNGs (skipped when gnuplot is not installed: it is a lab package), and the
# input errors (exit 1 with file:line) and bad usage (exit 2).
# Usage: bench_lab_report_test.sh LAB_REPORT_PY
set -u
report=$1
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# has FILE TEXT: FILE contains TEXT as a fixed string.
has() {
    grep -qF -- "$2" "$1" || fail "$1 lacks '$2'"
}

# section FILE HEADING: the lines of the "## HEADING" section, up to the next "## ".
section() {
    awk -v h="## $2" '$0 == h { on = 1; next } on && /^## / { exit } on' "$1"
}

header=figure,tool,series,ring_bytes,msg_bytes,pairs,repeat,metric,value
csv=$tmp/results.csv
{
    echo "$header"
    for rep in 1 2 3; do
        # 64 KiB: yasmin 512K 10,12,14 against netfront 2,3,4: ratios 5, 4, 3.5 -> 4.00.
        y=$(echo "$rep" | awk '{ print 8 + 2 * $1 }')
        n=$(echo "$rep" | awk '{ print 1 + $1 }')
        echo "throughput-size,iperf3,yasmin,524288,65536,1,$rep,mbit_s,$y"
        echo "throughput-size,iperf3,netfront,0,65536,1,$rep,mbit_s,$n"
        # 1 KiB: yasmin loses, 1 against 2 in every repeat -> 0.50.
        echo "throughput-size,iperf3,yasmin,524288,1024,1,$rep,mbit_s,1"
        echo "throughput-size,iperf3,netfront,0,1024,1,$rep,mbit_s,2"
        # msgbench at 64 KiB: yasmin 512K 30 against AF_UNIX 10 -> 3.00.
        echo "throughput-size,msgbench,yasmin,524288,65536,1,$rep,mbit_s,30"
        echo "throughput-size,msgbench,af_unix,0,65536,1,$rep,mbit_s,10"
        # 1 B round trip: netfront 200,240,210 over yasmin 50,60,70: 4, 4, 3 -> 4.00 [3.0-4.0].
        y=$(echo "$rep" | awk '{ print 40 + 10 * $1 }')
        n=$(echo "$rep" | awk '{ print ($1 == 1) ? 200 : ($1 == 2) ? 240 : 210 }')
        echo "latency,nptcp,yasmin,524288,1,1,$rep,rtt_us,$y"
        echo "latency,nptcp,netfront,0,1,1,$rep,rtt_us,$n"
        echo "latency,nptcp,yasmin,524288,65536,1,$rep,rtt_us,100"
        echo "latency,nptcp,netfront,0,65536,1,$rep,rtt_us,300"
        for ring in 65536 524288 2097152; do
            echo "throughput-ring,iperf3,yasmin,$ring,65536,1,$rep,mbit_s,$((ring / 65536 + 4))"
        done
        echo "throughput-ring,iperf3,netfront,0,65536,1,$rep,mbit_s,6"
        for pairs in 1 2 4; do
            echo "pairs,iperf3,yasmin,524288,65536,$pairs,$rep,mbit_s,$((pairs * 9))"
            echo "pairs,iperf3,netfront,0,65536,$pairs,$rep,mbit_s,$((pairs * 3))"
        done
        # 4 pairs -> 3.00.  Connections: 1000 against 250 -> 4.00.
        echo "connect,msgbench,yasmin,524288,0,1,$rep,conn_s,1000"
        echo "connect,msgbench,netfront,0,0,1,$rep,conn_s,250"
    done
} >"$csv"

cat >"$tmp/meta" <<'EOF'
date=2026-12-01T10:00:00Z
machine=test machine, 2 vCPUs
command=tests/lab/run --bench --repeats 3
commit=0123456789abcdef
lab=Two PV guests of one emulated Xen host.
EOF
cat >"$tmp/native.md" <<'EOF'
Measured on a test CPU.

```
# not a heading
```

### Throughput, one way (MB/s)

| size | ring 512K |
EOF

out=$tmp/out
"$report" --csv "$csv" --out "$out" --meta "$tmp/meta" --native-summary "$tmp/native.md" \
    --title "Test report" 2>"$tmp/stderr"
status=$?
[ "$status" -eq 0 ] || fail "exit $status on a good CSV: $(cat "$tmp/stderr")"
page=$out/performance.md
if [ ! -f "$page" ]; then
    fail "no $page"
else
    has "$page" "# Test report"
    has "$page" "tests/lab/run --bench --repeats 3"
    has "$page" "0123456789abcdef"
    has "$page" "3 repeats"
    has "$page" "QEMU"
    section "$page" "Headline ratios" >"$tmp/headline"
    has "$tmp/headline" "| 1-byte round trip, netfront/yasmin | 4.00× [3.0–4.0] |"
    has "$tmp/headline" "| 64 KiB throughput, yasmin/netfront | 4.00× [3.5–5.0] |"
    has "$tmp/headline" "| 64 KiB throughput, yasmin/AF_UNIX | 3.00× [3.0–3.0] |"
    has "$tmp/headline" "| connections/s, yasmin/netfront | 4.00× [4.0–4.0] |"
    has "$tmp/headline" "| aggregate throughput with the most pairs, yasmin/netfront | 3.00× [3.0–3.0] | iperf3, yasmin 512 KiB, 4 pairs |"
    has "$tmp/headline" "(#natively-on-the-host-no-emulation)"
    # Fig. 5's table: the cells and the ratio column at 64 KiB.
    has "$page" "| 64 KiB | 12.0 [10.0–14.0] | 3.00 [2.00–4.00] | 4.00× [3.5–5.0] |"
    has "$page" "yasmin/netfront"
    has "$page" "netfront/yasmin RTT"
    section "$page" "Where yasmin loses" >"$tmp/losses"
    has "$tmp/losses" "1 KiB, yasmin 512 KiB: yasmin/netfront 0.50× [0.50–0.50]"
    # The 64 KiB ring loses to netfront in Fig. 6 (5 against 6).
    has "$tmp/losses" "Fig. 6"
    grep -q "64 KiB, yasmin 512 KiB: yasmin/netfront" "$tmp/losses" &&
        fail "a point yasmin wins is listed under 'Where yasmin loses'"
    section "$page" "Natively on the host (no emulation)" >"$tmp/native"
    has "$tmp/native" "#### Throughput, one way (MB/s)"
    has "$tmp/native" "# not a heading"
    has "$tmp/native" "Measured on a test CPU."
    for png in fig4-latency fig5-throughput-size fig6-throughput-ring fig7-pairs connect; do
        if command -v gnuplot >/dev/null 2>&1; then
            has "$page" "]($png.png)"
            if [ ! -f "$out/$png.png" ]; then
                fail "no $png.png"
            else
                signature=$(head -c 8 "$out/$png.png" | od -An -tx1 | tr -d ' \n')
                [ "$signature" = 89504e470d0a1a0a ] || fail "$png.png is not a PNG ($signature)"
            fi
        fi
    done
    command -v gnuplot >/dev/null 2>&1 || echo "skip: gnuplot is not installed: no PNG checks"
fi

# A figure without data has no section and no plot; a page without the native summary has
# no native section; missing headlines say so.
grep -v '^connect,' "$csv" >"$tmp/noconnect.csv"
"$report" --csv "$tmp/noconnect.csv" --out "$tmp/out2" 2>"$tmp/stderr" ||
    fail "exit $? without connect rows: $(cat "$tmp/stderr")"
if [ -f "$tmp/out2/performance.md" ]; then
    grep -q "connect.png\|^## Natively" "$tmp/out2/performance.md" &&
        fail "connect.png or the native section on a page without their data"
    has "$tmp/out2/performance.md" "| connections/s, yasmin/netfront | not measured |"
    [ -e "$tmp/out2/connect.png" ] && fail "connect.png drawn without data"
else
    fail "no page without connect rows"
fi

# expect_error NAME EXPECTED_STDERR: the CSV $tmp/NAME.csv makes the script exit 1 and say
# EXPECTED_STDERR (fixed string).
expect_error() {
    "$report" --csv "$tmp/$1.csv" --out "$tmp/out-$1" 2>"$tmp/stderr"
    status=$?
    [ "$status" -eq 1 ] || fail "$1: exit $status, expected 1"
    grep -qF -- "$2" "$tmp/stderr" || fail "$1: stderr '$(cat "$tmp/stderr")' lacks '$2'"
}

good=throughput-size,iperf3,netfront,0,65536,1,1,mbit_s,2
printf 'figure,tool,series,ring,msg_bytes,pairs,repeat,metric,value\n%s\n' "$good" >"$tmp/header.csv"
expect_error header "header.csv:1: wrong header"
: >"$tmp/empty.csv"
expect_error empty "empty.csv: empty CSV"
echo "$header" >"$tmp/headeronly.csv"
expect_error headeronly "headeronly.csv: empty CSV"
expect_error missing "missing.csv: cannot read"

# bad NAME LINE EXPECTED: a CSV whose third line is LINE fails with NAME.csv:3: EXPECTED.
bad() {
    printf '%s\n%s\n%s\n' "$header" "$good" "$2" >"$tmp/$1.csv"
    expect_error "$1" "$1.csv:3: $3"
}
bad value throughput-size,iperf3,yasmin,524288,65536,1,1,mbit_s,fast "value 'fast' is not a number"
bad negative throughput-size,iperf3,yasmin,524288,65536,1,1,mbit_s,-3 "value '-3' is not a finite number > 0"
bad zero throughput-size,iperf3,yasmin,524288,65536,1,1,mbit_s,0 "value '0' is not a finite number > 0"
bad nan throughput-size,iperf3,yasmin,524288,65536,1,1,mbit_s,nan "value 'nan' is not a finite number > 0"
bad inf throughput-size,iperf3,yasmin,524288,65536,1,1,mbit_s,inf "value 'inf' is not a finite number > 0"
bad fields throughput-size,iperf3,yasmin,524288,65536,1,1,mbit_s "8 fields, expected 9"
bad figure speed,iperf3,yasmin,524288,65536,1,1,mbit_s,3 "figure 'speed'"
bad series throughput-size,iperf3,tcp,0,65536,1,1,mbit_s,3 "series 'tcp'"
bad ring throughput-size,iperf3,yasmin,512K,65536,1,1,mbit_s,3 "ring_bytes '512K' is not an integer"
bad noring throughput-size,iperf3,yasmin,0,65536,1,1,mbit_s,3 "ring_bytes is 0 for a yasmin line"
bad msg throughput-size,iperf3,yasmin,524288,-1,1,1,mbit_s,3 "msg_bytes '-1' is not an integer"
bad repeat throughput-size,iperf3,yasmin,524288,65536,1,0,mbit_s,3 "repeat 0 is below 1"
bad metric throughput-size,iperf3,yasmin,524288,65536,1,1,gbit_s,3 "metric 'gbit_s'"
bad unit latency,nptcp,yasmin,524288,1,1,1,mbit_s,3 "metric mbit_s for figure latency"
bad tool "throughput-size,,yasmin,524288,65536,1,1,mbit_s,3" "tool '' is empty"
bad duplicate "$good" "the same point and repeat as line 2"

# Bad usage: argparse's exit 2.
"$report" --csv "$csv" 2>/dev/null
status=$?
[ "$status" -eq 2 ] || fail "exit $status without --out, expected 2"
"$report" --csv "$csv" --out "$tmp/out3" --bogus 2>/dev/null
status=$?
[ "$status" -eq 2 ] || fail "exit $status with an unknown option, expected 2"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "bench_lab_report: all checks passed"
