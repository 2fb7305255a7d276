#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# hardrun-runtime benchmark (b): `hardrun-runtime create` against a direct `runc create` on the
# same bundle, measured in the same run (not a test: it never fails on a missed target).
# The bundle is a real podman config (tests/golden/network-none.in.json, made runnable by
# tests/integration/lib/bundle.sh `prepare`) on a busybox-static rootfs. Per run:
#   runc:  config.json already hardened (`hardrun harden`), `runc create`, then `runc delete`;
#   shim:  config.json restored to podman's original (untimed), `hardrun-runtime create` (it
#          hardens, writes config.json atomically, then execs the same runc create), then
#          `runc delete`.
#   env:   `env runc create` on the hardened bundle: the one extra exec any shim costs, with
#          no work of its own (the part of the overhead no code in the shim can remove).
# Rows alternate, so all see the same host load. The shim's overhead is the difference of
# the p50s; /bin/true gives the spawn floor.
#
# Usage: bench/shim.sh [-n RUNS] [--build DIR]   (root; RUNS default 100)
# Environment: HARDRUN_BIN, HARDRUN_RUNTIME override the binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args 100 "$@"
HARDRUN=${HARDRUN_BIN:-$BUILD/launcher/hardrun}
RUNTIME=${HARDRUN_RUNTIME:-$BUILD/launcher/hardrun-runtime}
PROFILE=$ROOT/tests/data/profiles/test.json
GOLDEN=$ROOT/tests/golden/network-none.in.json

die() { echo "shim.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (runc create with namespaces and cgroups)"
[[ -x $HARDRUN && -x $RUNTIME ]] || die "no hardrun/hardrun-runtime in $BUILD/launcher (or set HARDRUN_BIN, HARDRUN_RUNTIME)"
RUNC=$(command -v runc) || die "runc is needed"
for c in jq /usr/bin/time /bin/busybox; do command -v "$c" >/dev/null 2>&1 || die "$c is needed"; done
((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 (EPOCHREALTIME)"

# shellcheck source-path=SCRIPTDIR/../tests/integration/lib source=bundle.sh
source "$ROOT/tests/integration/lib/bundle.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-bench-shim.XXXXXXXXXX")
chmod 0711 "$WORK"
BENCH_DIR=$WORK/bench
RUNC_ROOT=$WORK/runc-state
mkdir -p "$BENCH_DIR" "$WORK/secrets"
mkdir -m 0700 "$RUNC_ROOT"
ID=
cleanup() {
  [[ -n $ID ]] && "$RUNC" --root "$RUNC_ROOT" delete -f "$ID" >/dev/null 2>&1 && rm -f "/run/hardrun/containers/$ID.json"
  rm -rf --one-file-system -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# setting up (busybox bundle from a real podman config)" >&2
make_template "$WORK/rootfs" /bin/busybox
CG=/hardrun-bench-$(random_hex 6)
prepare "$GOLDEN" "$WORK/original.json" "$WORK/rootfs" "$CG"
make_mountpoints "$WORK/original.json" "$WORK/rootfs"
"$HARDRUN" harden --policy "$PROFILE" --in "$WORK/original.json" --out "$WORK/hardened.json" >/dev/null ||
  die "hardrun harden refused the bench config"
make_mountpoints "$WORK/hardened.json" "$WORK/rootfs"
CFG=$WORK/hardrun.json
jq -n --arg p "$PROFILE" --arg r "$RUNC" --arg s "$WORK/secrets" \
  '{hardrunConfig: 1, profile: $p, runtime: $r, injectHook: false, requireHook: false, secretsDir: $s}' >"$CFG"
for b in direct shim; do
  mkdir -m 0711 "$WORK/$b"
done
cp "$WORK/hardened.json" "$WORK/direct/config.json"

restore() { cp "$WORK/original.json" "$WORK/shim/config.json"; }
new_id() { ID=$(random_hex 32); }
# runc delete directly, not through the shim: so the shim's record of the id goes here too.
delete() {
  "$RUNC" --root "$RUNC_ROOT" delete -f "$ID" >/dev/null 2>&1 || true
  rm -f "/run/hardrun/containers/$ID.json"
  ID=
}

# One create of each first: a refusal or a runc error should stop the bench, not be timed.
restore
new_id
"$RUNTIME" "--hardrun-config=$CFG" --root "$RUNC_ROOT" create --bundle "$WORK/shim" "$ID" >/dev/null 2>"$WORK/err" ||
  die "hardrun-runtime create failed: $(cat "$WORK/err")"
delete
new_id
"$RUNC" --root "$RUNC_ROOT" create --bundle "$WORK/direct" "$ID" >/dev/null 2>"$WORK/err" ||
  die "runc create failed: $(cat "$WORK/err")"
delete
cmp -s "$WORK/shim/config.json" "$WORK/original.json" && die "the shim left config.json unhardened"

echo "# timing $RUNS creates of each, in turn" >&2
for n in runc hop shim true; do : >"$BENCH_DIR/t.$n"; done
for ((i = 0; i < RUNS; i++)); do
  new_id
  sample runc "$RUNC" --root "$RUNC_ROOT" create --bundle "$WORK/direct" "$ID"
  ((LAST_RC == 0)) || die "runc create failed: $(cat "$BENCH_DIR/e.runc")"
  delete
  new_id
  sample hop /usr/bin/env "$RUNC" --root "$RUNC_ROOT" create --bundle "$WORK/direct" "$ID"
  ((LAST_RC == 0)) || die "env runc create failed: $(cat "$BENCH_DIR/e.hop")"
  delete
  restore
  new_id
  sample shim "$RUNTIME" "--hardrun-config=$CFG" --root "$RUNC_ROOT" create --bundle "$WORK/shim" "$ID"
  ((LAST_RC == 0)) || die "hardrun-runtime create failed: $(cat "$BENCH_DIR/e.shim")"
  delete
  sample true /bin/true
done
restore
RSS_SHIM=$(ID=$(random_hex 32) && rss "$RUNTIME" "--hardrun-config=$CFG" --root "$RUNC_ROOT" create --bundle "$WORK/shim" "$ID" &&
  "$RUNC" --root "$RUNC_ROOT" delete -f "$ID" >/dev/null 2>&1; rm -f "/run/hardrun/containers/$ID.json"; true)

OVER50=$(minus "$(pct shim 50)" "$(pct runc 50)")
OVER90=$(minus "$(pct shim 90)" "$(pct runc 90)")
printf '\n### hardrun-runtime create (b): %d runs per row, rows in turn; wall ms per create\n\n' "$RUNS"
printf '| %-48s | %8s | %8s | %8s |\n' row p50 p90 "p50/runc"
printf '|%s|----------|----------|----------|\n' "$(printf -- '-%.0s' {1..50})"
printf '| %-48s | %8s | %8s | %8s |\n' "runc create (hardened bundle)" "$(pct runc 50)" "$(pct runc 90)" 1.000
printf '| %-48s | %8s | %8s | %8s |\n' "hardrun-runtime create (same bundle, unhardened)" "$(pct shim 50)" "$(pct shim 90)" \
  "$(ratio "$(pct shim 50)" "$(pct runc 50)")"
printf '| %-48s | %8s | %8s | %8s |\n' "env runc create (one more exec, no work)" "$(pct hop 50)" "$(pct hop 90)" \
  "$(ratio "$(pct hop 50)" "$(pct runc 50)")"
printf '| %-48s | %8s | %8s | %8s |\n' "shim overhead (difference)" "$OVER50" "$OVER90" -
printf '| %-48s | %8s | %8s | %8s |\n' "  of which the extra exec (env row - runc)" "$(minus "$(pct hop 50)" "$(pct runc 50)")" \
  "$(minus "$(pct hop 90)" "$(pct runc 90)")" -
printf '| %-48s | %8s | %8s | %8s |\n' "/bin/true (process spawn floor)" "$(pct true 50)" "$(pct true 90)" -
printf '\n  shim peak RSS (GNU time, includes the exec'"'"'d runc create): %s KiB\n' "$RSS_SHIM"
printf '\ntargets (shim)\n'
target "shim overhead p50 <= 3 ms ($OVER50 ms)" "$OVER50" 3
