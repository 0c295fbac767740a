#!/bin/sh
# The native benchmark's smoke test (a unit test): its command line rejects bad flags, a
# corrupted byte fails a run, and bench/native.sh --smoke passes with a well-formed CSV (every
# transport, size and repetition, every rate and time positive) and a summary.  It checks
# no timing: the machine may be busy.
# Usage: native_smoke_test.sh PATH_TO_YASMIN_BENCH_NATIVE PATH_TO_NATIVE_SH WORK_DIR
set -u
program=$1
native_sh=$2
work=$3
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failures=0
# shellcheck source-path=SCRIPTDIR source=../tests/unit/cli_expect.sh
. "$(dirname "$0")/../tests/unit/cli_expect.sh"

# expect_usage_error PATTERN ARGS...: exit 2, PATTERN and the hint on stderr, no stdout.
expect_usage_error() {
    pattern=$1; shift
    expect 2 "$@"
    grep -q -- "$pattern" "$err" || fail "$*: stderr does not say '$pattern'"
    grep -q -- "Try 'yasmin-bench-native --help'" "$err" || fail "$*: no hint to --help"
    [ -s "$out" ] && fail "$*: an error went to stdout"
}

expect 0 --help
grep -q '^Usage: yasmin-bench-native' "$out" || fail "--help prints no usage line"
expect_usage_error "'--bogus'" --bogus
expect_usage_error "unexpected argument 'ring'" ring
expect_usage_error "unknown transport 'vsock'" --transports ring,vsock
expect_usage_error "'3K' is not a power-of-two number" --ring-sizes 3K
expect_usage_error "'4M' is not a power-of-two number" --ring-sizes 4M
expect_usage_error "'0' is not a size" --sizes 1,0
expect_usage_error "'1X' is not a size" --sizes 1X
expect_usage_error "'999999999999G' is not a size" --sizes 999999999999G
expect_usage_error "cannot be combined" --sizes 1 --series pow2
expect_usage_error "unknown series" --series pow3
expect_usage_error "unknown metric 'latency'" --metrics latency
expect_usage_error "--reps" --reps 0
expect_usage_error "--duration" --duration 0
expect_usage_error "'--duration' is invalid" --duration soon
expect_usage_error "cannot be combined" --summarize x.csv --smoke

# A byte flipped in transit must fail the run, for the ring and for memcpy alike.
for transport in ring ring-spin ring-split memcpy; do
    expect 1 --transports "$transport" --sizes 4097 --metrics throughput --reps 1 \
        --duration 0.01 --csv "$work.corrupt.csv" --inject-corruption
    grep -q -e 'wrong' -e 'differs' "$err" || fail "$transport: the corrupted byte went unnoticed"
done
rm -f "$work.corrupt.csv"

# The smoke run itself, through the script that a full run uses.
rm -rf "$work"
if ! bash "$native_sh" --smoke --bin "$program" --out "$work" >"$out" 2>"$err"; then
    fail "native.sh --smoke failed"
fi
csv=$work/native.csv
if [ -s "$csv" ]; then
    # 5 sizes x (memcpy + memcpy-cold + (ring, ring-spin, ring-split) x 2 ring sizes x
    # 2 metrics x 4 values + unix x 2 + tcp x 2) x 3 repetitions.
    awk -F, -v want=810 '
        NR == 1 { if ($0 != "transport,ring_size,msg_size,metric,rep,value,unit") bad("header"); next }
        NF != 7 { bad("line " NR " has " NF " fields") }
        $4 == "throughput" || $4 == "rtt" {
            if (!($6 + 0 > 0)) bad("line " NR ": " $4 " is not positive: " $6)
        }
        $6 !~ /^[0-9.e+-]+$/ { bad("line " NR ": value " $6 " is not a number") }
        $1 ~ /^ring/ { if ($2 != 65536 && $2 != 524288) bad("line " NR ": ring size " $2) }
        $1 !~ /^ring/ && $2 != "" { bad("line " NR ": a ring size for " $1) }
        { rows++; seen[$1]++; reps[$5]++ }
        END {
            if (rows != want) bad(rows " rows, expected " want)
            split("memcpy memcpy-cold ring ring-spin ring-split unix tcp", names, " ")
            for (i in names) if (!seen[names[i]]) bad("no " names[i] " rows")
            if (reps[1] != reps[2] || reps[2] != reps[3] || reps[4]) bad("uneven repetitions")
            exit failed
        }
        function bad(why) { print "CSV: " why > "/dev/stderr"; failed = 1 }
    ' "$csv" 2>>"$err" || fail "the CSV is malformed or incomplete"
else
    fail "native.sh --smoke wrote no CSV"
fi
summary=$work/summary.md
for pattern in '^### Throughput' '^### Ping-pong' '^| 1 B |' '^| 1 MiB |' 'ring 512K / unix' \
               'yasmin-bench-native --smoke'; do
    grep -q -- "$pattern" "$summary" 2>/dev/null || fail "summary.md lacks '$pattern'"
done

# --summarize reads the CSV back into the same tables; a malformed CSV is refused.
expect 0 --summarize "$csv"
cmp -s "$out" "$work/tables.md" || fail "--summarize does not reproduce the run's tables"
sed '3s/,[^,]*$//' "$csv" >"$work/bad.csv"
expect 1 --summarize "$work/bad.csv"
grep -q 'bad.csv:3: 6 fields' "$err" || fail "a short CSV line is not reported with its line"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "bench native smoke: all checks passed"
