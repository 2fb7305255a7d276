#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Fuzz every target of tests/fuzz for a fixed time with libFuzzer (+ASan+UBSan+LeakSanitizer)
# and print, per target, executions, exec/s, coverage (libFuzzer's final cov:/ft:) and crashes.
#
#   cmake --preset fuzz && cmake --build --preset fuzz
#   tests/fuzz/run.sh [-t SECONDS_PER_TARGET] [-b BUILD_DIR] [-o OUT_DIR] [TARGET...]
#
# Defaults: 60 s per target, build-fuzz, every target. The seed corpus is copied to a temporary
# directory: the repository is never written to. Crashing inputs are kept under OUT_DIR
# (default: a new directory under $TMPDIR, printed at the end) and the exit status is 1.
# A crash, once fixed, goes into tests/fuzz/corpus/<target>/ as a regression seed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_PER_TARGET=60
BUILD=$ROOT/build-fuzz
OUT=
while getopts "t:b:o:h" opt; do
  case $opt in
    t) SECONDS_PER_TARGET=$OPTARG ;;
    b) BUILD=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '4,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

if (($# > 0)); then
  TARGETS=("$@")
else
  TARGETS=()
  for d in "$HERE"/corpus/*/; do
    TARGETS+=("$(basename "$d")")
  done
fi
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/hardrun-fuzz-XXXXXX")}
mkdir -p "$OUT"

# Allocator failures are findings too (a size from the input reaching malloc), and the sanitizer
# runtimes must abort with a stack on the first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=0:detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
printf '%-18s %12s %8s %7s %7s %8s  %s\n' target executions exec/s cov ft crashes result
for t in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz/fuzz_$t
  if [[ ! -x $bin ]]; then
    echo "run.sh: $bin missing: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    exit 2
  fi
  work=$OUT/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -r "$HERE/corpus/$t/." "$work/corpus/"
  dict=()
  [[ -f $HERE/dict/$t.dict ]] && dict=(-dict="$HERE/dict/$t.dict")
  # One process (no -jobs/-workers fan-out), 10 s per input counts as a hang, 2 GiB as a leak
  # or blow-up. The input-size cap covers the largest real seed (images.json, ~6 KiB).
  rc=0
  "$bin" "$work/corpus" "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=$(find "$work/artifacts" -type f | wc -l)
  result=ok
  if ((rc != 0 || crashes > 0)); then
    result="FAILED (exit $rc, log $work/log)"
    failed=1
  fi
  printf '%-18s %12s %8s %7s %7s %8s  %s\n' "$t" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "$crashes" "$result"
done
echo "run.sh: logs, grown corpora and crashing inputs in $OUT"
exit "$failed"
