#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# All of hardrun's benchmarks in one run (bench/README.md): builds what they need, then
#   hook.sh    (a) hook decision vs gpgv / openssl processes, in process and per process,
#              (d) 10 vs 1000 images and containers in storage, (e) the hook's peak RSS
#   shim.sh    (b) hardrun-runtime create vs runc create on the same bundle
#   podman.sh  (c) hardrun run vs the equivalent hand-written podman run
# and prints every table and a summary of the targets (PASS/MISS). Each baseline is measured in
# the same run as what it is compared with. Not a test: a MISS does not fail the script.
#
# Usage: sudo bench/run.sh [--build DIR] [--no-build] [--quick] [--only hook,shim,podman]
#   --build DIR   build directory (default: build; configured RelWithDebInfo if it is new)
#   --no-build    use the binaries already in DIR
#   --quick       fewer runs (hook 40, shim 20, podman 5) for a smoke test of the scripts
# Runs per row otherwise: hook 200 (decision in process: 2000 iterations), shim 100, podman 30.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
DO_BUILD=1
ONLY=hook,shim,podman
N_HOOK=200 N_SHIM=100 N_PODMAN=30 # read through ${!n} below
# shellcheck disable=SC2034
while (($#)); do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    --quick) N_HOOK=40 N_SHIM=20 N_PODMAN=5; shift ;;
    --only) ONLY=$2; shift 2 ;;
    -h | --help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (rootful podman, runc)" >&2; exit 1; }
BUILD=$(realpath -m -- "$BUILD")

if ((DO_BUILD)); then
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$BUILD" -j "$(nproc)" --target hardrun_hook hardrun_runtime hardrun_bin hardrun_bench_decide
fi

OUT=$(mktemp "${TMPDIR:-/tmp}/hardrun-bench.XXXXXXXXXX.out")
trap 'rm -f -- "$OUT"' EXIT
{
  printf '## hardrun benchmarks, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'host: %s, %s CPUs, load average %s; %s; %s; %s; %s\n' "$(uname -r)" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(podman --version 2>/dev/null)" "$(runc --version 2>/dev/null | head -n 1)" \
    "$(openssl version 2>/dev/null)" "build type $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt")"
} | tee -a "$OUT"
rc=0
for b in hook shim podman; do
  [[ ,$ONLY, == *,$b,* ]] || continue
  n=N_${b^^}
  "$ROOT/bench/$b.sh" -n "${!n}" --build "$BUILD" | tee -a "$OUT" || { rc=$?; echo "run.sh: $b.sh failed ($rc)" >&2; }
done
printf '\n## summary of targets\n\n'
grep -E ' (PASS|MISS)$' "$OUT" || true
exit "$rc"
