#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# `hardrun run` benchmark (c): `hardrun run --rm IMAGE true` against the equivalent hand-written
# `podman run`, on real podman with a private store (--root/--runroot through
# CONTAINERS_STORAGE_CONF, runroot on a tmpfs) and runc, measured in the same run (not a test: it
# never fails on a missed target). The podman command is the one hardrun composes, taken from
# `hardrun run --dry-run --json`; rows, run in turn:
#   podman run, runc      that command with `--runtime runc` and without the --runtime-flag
#                         hardrun-* flags: what an admin would write by hand (same hardening
#                         flags, no hardrun at all) — the baseline
#   podman run, shim      that command as composed (the runtime shim rewrites config.json)
#   hardrun run           the CLI itself (composes the command, then runs podman)
#
# Usage: bench/podman.sh [-n RUNS] [--build DIR]   (root; RUNS default 30)
# Environment: HARDRUN_BIN overrides the CLI (hardrun-runtime is taken from its directory).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args 30 "$@"
HARDRUN=${HARDRUN_BIN:-$BUILD/launcher/hardrun}
PROFILE=$ROOT/tests/data/profiles/test.json
LIB=$ROOT/tests/integration/lib

die() { echo "podman.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (rootful podman with a private store)"
[[ -x $HARDRUN && -x $(dirname "$HARDRUN")/hardrun-runtime ]] ||
  die "no hardrun and hardrun-runtime in $BUILD/launcher (or set HARDRUN_BIN)"
RUNC=$(command -v runc) || die "runc is needed"
for c in podman jq /bin/busybox; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 (EPOCHREALTIME)"

# shellcheck source-path=SCRIPTDIR/../tests/integration/lib source=podman.sh
source "$LIB/podman.sh"
# shellcheck source-path=SCRIPTDIR/../tests/integration/lib source=bundle.sh
source "$LIB/bundle.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-bench-podman.XXXXXXXXXX")
chmod 0711 "$WORK"
private_podman_init "$WORK"
BENCH_DIR=$WORK/bench
SECRETS=$WORK/secrets
mkdir -p "$BENCH_DIR" "$WORK/runroot"
mkdir -m 0711 "$SECRETS"
# podman's run root is a tmpfs on a real host (/run).
mount -t tmpfs -o mode=0700 tmpfs "$WORK/runroot"
cleanup() {
  set +e
  pm rm --all --force --time 0 >/dev/null 2>&1
  pm rmi --all --force >/dev/null 2>&1
  private_podman_teardown >/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
private_podman_conf

echo "# setting up (private podman, busybox image pinned by digest)" >&2
CFG=$WORK/hardrun.json
jq -n --arg p "$PROFILE" --arg r "$RUNC" --arg s "$SECRETS" \
  '{hardrunConfig: 1, profile: $p, runtime: $r, injectHook: false, requireHook: false, secretsDir: $s}' >"$CFG"
chmod 0644 "$CFG"
make_template "$WORK/rootfs" /bin/busybox
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
pm import -q -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/hardrun-bench:1 >/dev/null
DIGEST=$(pm image inspect --format '{{.Digest}}' localhost/hardrun-bench:1)
IMAGE=localhost/hardrun-bench@$DIGEST

# The command hardrun composes; the hand-written baseline is the same without the shim.
"$HARDRUN" run --config "$CFG" --rm --dry-run --json "$IMAGE" true >"$WORK/dry.json" ||
  die "hardrun run --dry-run failed"
mapfile -t SHIM_CMD < <(jq -r '.podman[]' "$WORK/dry.json")
mapfile -t PLAIN_CMD < <(jq -r --arg runc "$RUNC" '
  .podman | . as $a | reduce range(0; length) as $i ({out: [], skip: false};
    if .skip then .skip = false
    elif $a[$i] == "--runtime" then .out += ["--runtime", $runc] | .skip = true
    elif $a[$i] == "--runtime-flag" and ($a[$i + 1] | startswith("hardrun-")) then .skip = true
    else .out += [$a[$i]] end) | .out[]' "$WORK/dry.json")
# A fresh --name for every run (the composed one is random, but fixed in the dry run).
with_name() { # name cmd... -> runs cmd with the value after --name replaced
  local name=$1 i
  shift
  local a=("$@")
  for ((i = 0; i < ${#a[@]}; i++)); do
    [[ ${a[i]} == --name ]] && a[i + 1]=$name
  done
  "${a[@]}"
}
printf '# hand-written baseline: %s\n' "${PLAIN_CMD[*]}" >&2

N=0
name() { N=$((N + 1)); NAME=hardrun-bench-$N; }
check_rc() { ((LAST_RC == 0)) || die "$1 failed: $(head -c 500 "$BENCH_DIR/e.$1")"; }
# Warm-up (image and layer caches, podman's first-run setup), untimed.
name
with_name "$NAME" "${PLAIN_CMD[@]}" >/dev/null || die "the hand-written podman run failed"
name
"$HARDRUN" run --config "$CFG" --rm --name "$NAME" "$IMAGE" true >/dev/null || die "hardrun run failed"

echo "# timing $RUNS runs of each, in turn" >&2
for n in podman shim hardrun; do : >"$BENCH_DIR/t.$n"; done
for ((i = 0; i < RUNS; i++)); do
  name && sample podman with_name "$NAME" "${PLAIN_CMD[@]}" && check_rc podman
  name && sample shim with_name "$NAME" "${SHIM_CMD[@]}" && check_rc shim
  name && sample hardrun "$HARDRUN" run --config "$CFG" --rm --name "$NAME" "$IMAGE" true && check_rc hardrun
done
left=$(pm ps -a --format '{{.Names}}' | wc -l)

printf '\n### hardrun run (c): %d runs per row, rows in turn; wall ms per "run --rm IMAGE true"\n\n' "$RUNS"
printf '| %-48s | %8s | %8s | %10s |\n' row p50 p90 "p50/podman"
printf '|%s|----------|----------|------------|\n' "$(printf -- '-%.0s' {1..50})"
row() { printf '| %-48s | %8s | %8s | %10s |\n' "$1" "$(pct "$2" 50)" "$(pct "$2" 90)" "$(ratio "$(pct "$2" 50)" "$(pct podman 50)")"; }
row "podman run, runc (hand-written, same flags)" podman
row "podman run, hardrun-runtime shim (as composed)" shim
row "hardrun run" hardrun
printf '\n  containers left in the store after the runs: %s (all used --rm)\n' "$left"
printf '\ntargets (run)\n'
target "hardrun run p50 <= 1.02x podman run ($(ratio "$(pct hardrun 50)" "$(pct podman 50)")x)" \
  "$(pct hardrun 50)" "$(awk -v a="$(pct podman 50)" 'BEGIN { print 1.02 * a }')"
