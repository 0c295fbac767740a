#!/bin/bash
# The native benchmark (docs/bench-native.md): runs yasmin-bench-native and leaves in one
# results directory the CSV, its stderr, and summary.md: the machine, the date, the exact
# command and the tables (medians, ranges, ratios) ready to paste into docs/.
#
#   bench/native.sh [--smoke] [--bin PROGRAM] [--out DIR] [-- PROGRAM_ARGS...]
#
#   --smoke  the few-second self-check (yasmin-bench-native --smoke) instead of a full run
#   --bin    the program (default: build/bench/yasmin-bench-native in this tree)
#   --out    the results directory (default: build/bench-results/native-DATE)
# A full run takes a few minutes and wants a quiet machine: on one shared with the Xen lab,
# run it under the lab's lock, e.g. `flock /tmp/yasmin-lab.lock bench/native.sh`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
program=$top/build/bench/yasmin-bench-native
out=
smoke=

usage() { sed -n '5,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --smoke) smoke=--smoke; shift ;;
        --bin) [ $# -ge 2 ] || usage; program=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "native.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
[ -x "$program" ] || { echo "native.sh: $program not built (scripts/build)" >&2; exit 1; }
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
[ -n "$out" ] || out=$top/build/bench-results/native-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"

args=(${smoke:+"$smoke"} "$@" --csv "$out/native.csv" --markdown "$out/tables.md")
echo "native.sh: measuring into $out" >&2
if ! "$program" "${args[@]}" 2> >(tee "$out/run.log" >&2); then
    echo "native.sh: yasmin-bench-native failed; see $out/run.log" >&2
    exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
    echo "Measured $date on ${cpu:-an unknown CPU}, $(nproc) CPUs online,"
    echo "Linux $(uname -r), with:"
    echo
    echo '```'
    echo "$(basename "$program") ${args[*]//$out\//}"
    echo '```'
    echo
    cat "$out/tables.md"
} >"$out/summary.md"
echo "native.sh: wrote $out/summary.md" >&2
