#!/bin/bash
# The paper's figures, yasmin against netfront and AF_UNIX between real Xen guests (issue 8):
# boots the lab, runs tests/lab/scenarios/90-bench-figures.sh (every series interleaved within
# a boot, repeated), runs the native benchmark (bench/native.sh), and makes the CSVs into PNG
# plots and a Markdown page with bench/lab_report.py.  See docs/performance.md.
#
#   bench/lab.sh [--smoke] [--repeats N] [--out DIR] [--publish] [--no-native]
#   bench/lab.sh --report-from LAB_OUT [--out DIR]
#
#   --smoke        the quick mode the test command runs: one repeat, small sizes, two rings
#   --repeats N    repeats of every measurement in a full run (default 3, at least 3 for
#                  medians worth the name); a full run takes about 20 minutes per repeat
#   --out DIR      results directory (default build/bench-results/lab-DATE): lab.csv,
#                  performance.md, the PNGs, the native run, the lab's logs
#   --publish      also write docs/performance.md and docs/performance/*.png
#   --no-native    leave out the native benchmark
#   --report-from  no lab run: the report from an earlier lab output directory (tests/lab/run
#                  --out LAB_OUT; CTest's lab.bench-report uses the test command's lab run);
#                  into the --out of an earlier bench/lab.sh, it reuses its native run and
#                  its description of the run (to regenerate the page, e.g. after editing
#                  bench/performance-notes.md)
# Needs root (the lab).  Under emulation only the ratios mean anything; the page says so.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${YASMIN_BUILD_DIR:-$top/build}
smoke=0 repeats=3 out= publish=0 native=1 report_from=
command="bench/lab.sh${*:+ $*}"   # for the page, before the arguments are parsed away

usage() { sed -n '7,22s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --smoke) smoke=1; shift ;;
        --repeats) [ $# -ge 2 ] || usage; repeats=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --publish) publish=1; shift ;;
        --no-native) native=0; shift ;;
        --report-from) [ $# -ge 2 ] || usage; report_from=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "bench/lab.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ "$repeats" =~ ^[1-9][0-9]?$ ]] || { echo "bench/lab.sh: --repeats '$repeats': 1 to 99" >&2; exit 2; }
[ $smoke -eq 0 ] || [ $publish -eq 0 ] ||
    { echo "bench/lab.sh: a smoke run is not published (--smoke with --publish)" >&2; exit 2; }
stamp=$(date -u +%Y%m%d-%H%M%S)
out=${out:-$build/bench-results/lab-$([ $smoke -eq 1 ] && echo smoke- || true)$stamp}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -n "$report_from" ]; then
    lab_out=$(cd "$report_from" && pwd)
else
    [ "$(id -u)" -eq 0 ] || { echo "bench/lab.sh: the lab needs root" >&2; exit 1; }
    "$top/scripts/build" "$build"
    if [ $native -eq 1 ]; then
        # ring-split is what yasmin.ko's transport.c does since issue 8 (pieces of at most
        # a quarter of the ring); plain ring, whole-ring turns, is kept beside it as before.
        if [ $smoke -eq 1 ]; then
            "$top/bench/native.sh" --smoke --bin "$build/bench/yasmin-bench-native" --out "$out/native"
        else
            "$top/bench/native.sh" --bin "$build/bench/yasmin-bench-native" --out "$out/native" \
                -- --transports memcpy,memcpy-cold,ring,ring-split,unix,tcp
        fi
    fi
    env_file=$out/bench.env
    if [ $smoke -eq 1 ]; then
        : >"$env_file"   # the scenario's own defaults are the smoke mode
    else
        # Sizes: NPtcp sweeps 1 B to 1 MiB (NetPIPE's 1, 2, 3, 4, 6, 8, ... steps);
        # yasmin-msgbench (also AF_UNIX) at one size per factor of 4 or so.
        cat >"$env_file" <<EOF
BENCH_MODE=full
BENCH_REPEATS=$repeats
BENCH_RINGS="65536 524288 2097152"
BENCH_RING_SWEEP="65536 131072 262144 524288 1048576 2097152"
BENCH_NP_MAX=1048576
BENCH_NP_REPEATS=5
BENCH_MSG_SIZES="1 64 1024 16384 65536 262144 1048576"
BENCH_SECONDS=1
BENCH_PAIRS="1 2"
BENCH_TIMEOUT=$((repeats * 1800))
EOF
    fi
    lab_out=$out/lab
    rc=0
    "$top/tests/lab/run" --build "$build" --out "$lab_out" --only guests-up,bench-figures \
        --bench-env "$env_file" --timeout $((repeats * 1800 + 600)) || rc=$?
    [ $rc -eq 0 ] || { echo "bench/lab.sh: the lab run failed (see $lab_out)" >&2; exit 1; }
fi

csv=$lab_out/share/out/bench/lab.csv
[ -s "$csv" ] || { echo "bench/lab.sh: no $csv (did 90-bench-figures run?)" >&2; exit 1; }
cp "$csv" "$out/lab.csv"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
. "$top/config/versions.env"
# A report made again from the same results (--report-from into the same --out) keeps the
# description of the run that measured them.
[ -n "$report_from" ] && [ -s "$out/meta" ] || {
    echo "date=$(date -u -r "$csv" '+%Y-%m-%d %H:%M UTC')"
    echo "machine=${cpu:-unknown CPU}, $(nproc) CPUs, Linux $(uname -r) on the host"
    echo "command=$command"
    echo "commit=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
    echo "lab=The lab: Xen $YASMIN_XEN_DEB_VERSION and a Debian 12 dom0 (2 vCPUs, 1 GiB) in" \
        "qemu-system-x86_64 with TCG (2 emulated CPUs, no KVM), PV guests running Linux" \
        "$YASMIN_KERNEL_ABI with 1 vCPU and 256 MiB each; every guest and dom0 share the 2" \
        "emulated CPUs."
} >"$out/meta"
report_args=(--csv "$out/lab.csv" --out "$out" --meta "$out/meta")
[ ! -f "$out/native/summary.md" ] || report_args+=(--native-summary "$out/native/summary.md")
report_args+=(--notes "$top/bench/performance-notes.md")
"$top/bench/lab_report.py" "${report_args[@]}"
if [ $publish -eq 1 ]; then
    "$top/bench/lab_report.py" "${report_args[@]}" --out "$top/docs/performance" \
        --page "$top/docs/performance.md"
    cp "$out/lab.csv" "$top/docs/performance/lab.csv"
    [ ! -f "$out/native/native.csv" ] || cp "$out/native/native.csv" "$top/docs/performance/native.csv"
fi
echo "bench/lab.sh: results in $out$([ $publish -eq 0 ] || echo ", published to docs/performance.md")"
