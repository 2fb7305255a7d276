#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# runc smoke test: every captured podman config (tests/golden/*.in.json) is prepared to run
# outside podman (without weakening it), hardened with the test profile, and either refused
# (for the cases listed in EXPECTED_REFUSED) or run under runc, where a probe checks from the
# inside that the hardening took effect (no capabilities, no_new_privs, non-root uid, read-only
# root, writable /tmp, a user namespace mapped to host id 100000, seccomp filter mode).
#
# Needs root and runc; exit 77 (skip) otherwise unless HARDRUN_TEST_MUST_WORK=1.
# Environment: HARDRUN_BIN (the hardrun binary), HARDRUN_SOURCE_DIR (the repository root).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
POLICY=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
GOLDEN_DIR=$HARDRUN_SOURCE_DIR/tests/golden

# Cases hardrun must refuse (exit 1) even once prepared; every other golden case must be
# hardened and run. (-userns: the same flags with podman's --uidmap.)
EXPECTED_REFUSED=(pid-host network-host ipc-host uts-host bind-etc bind-run privileged device-fuse
  bind-etc-userns privileged-userns)
# Host id the test profile maps container id 0 to.
EXPECTED_HOST_ID=100000

skip() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "runc_smoke: FAIL: cannot run: $1 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "runc_smoke: SKIP: $1"
  exit 77
}

die() {
  echo "runc_smoke: FAIL: $1" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || skip "needs root (runc run with cgroups and a user namespace)"
command -v runc >/dev/null 2>&1 || skip "runc is not installed"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || BUSYBOX=$(command -v busybox 2>/dev/null || true)
[[ -n $BUSYBOX && -x $BUSYBOX ]] || skip "busybox (busybox-static) is not installed"
[[ -x $HARDRUN_BIN ]] || die "HARDRUN_BIN=$HARDRUN_BIN is not an executable"
[[ -r $POLICY ]] || die "test profile $POLICY is missing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-runc-smoke.XXXXXXXXXX")
# Container root is an unmapped host id: it must be able to traverse to the bundle (not list it).
chmod 0711 "$WORK"
RUNC_ROOT=$WORK/runc-state
mkdir -m 0700 "$RUNC_ROOT"
STARTED=()

cleanup() {
  local id
  for id in ${STARTED[@]+"${STARTED[@]}"}; do
    runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 || true
  done
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# make_template, make_mountpoints, prepare, random_hex, probe_value, check_probe.
# shellcheck source-path=SCRIPTDIR source=lib/bundle.sh
source "$SCRIPT_DIR/lib/bundle.sh"
# report, diag (TAP lines) and the PASSED/FAILED counters.
# shellcheck source-path=SCRIPTDIR source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"

# A busybox-static rootfs with the probe, copied into every case's bundle.
TEMPLATE=$WORK/rootfs-template
make_template "$TEMPLATE" "$BUSYBOX"

is_expected_refused() {
  local c
  for c in "${EXPECTED_REFUSED[@]}"; do
    [[ $c == "$1" ]] && return 0
  done
  return 1
}

run_case() { # golden-file
  local golden=$1 name dir bundle prepared rc id cg
  name=$(basename "$golden" .in.json)
  dir=$(mktemp -d "$WORK/case.XXXXXXXX")
  chmod 0711 "$dir"
  bundle=$dir/bundle
  prepared=$dir/prepared.json
  mkdir -m 0711 "$bundle"
  cp -a "$TEMPLATE" "$bundle/rootfs"
  cg=/hardrun-test-$(random_hex 6)
  if ! prepare "$golden" "$prepared" "$bundle/rootfs" "$cg" 2>"$dir/prep.err"; then
    report not-ok "$name" "could not prepare the captured config"
    diag "$dir/prep.err"
    return
  fi

  rc=0
  "$HARDRUN_BIN" harden --policy "$POLICY" --in "$prepared" --out "$bundle/config.json" >"$dir/harden.out" 2>"$dir/harden.err" || rc=$?
  if is_expected_refused "$name"; then
    if [[ $rc != 1 ]]; then
      report not-ok "$name" "expected refusal (exit 1), harden exited $rc"
      diag "$dir/harden.out"
      diag "$dir/harden.err"
      return
    fi
    if [[ -e $bundle/config.json ]]; then
      report not-ok "$name" "refused, but $bundle/config.json was written"
      return
    fi
    rc=0
    "$HARDRUN_BIN" check --policy "$POLICY" "$prepared" >"$dir/check.out" 2>"$dir/check.err" || rc=$?
    if [[ $rc != 1 ]]; then
      report not-ok "$name" "harden refused, but check of the input exited $rc (want 1)"
      diag "$dir/check.out"
      diag "$dir/check.err"
      return
    fi
    report ok "$name" "refused (expected)"
    return
  fi
  if [[ $rc != 0 ]]; then
    report not-ok "$name" "harden exited $rc (not in the expected-refused list)"
    diag "$dir/harden.out"
    diag "$dir/harden.err"
    return
  fi

  rc=0
  "$HARDRUN_BIN" check --policy "$POLICY" "$bundle/config.json" >"$dir/check.out" 2>"$dir/check.err" || rc=$?
  if [[ $rc != 0 ]]; then
    report not-ok "$name" "check of the hardened config exited $rc (want 0)"
    diag "$dir/check.out"
    diag "$dir/check.err"
    return
  fi

  make_mountpoints "$bundle/config.json" "$bundle/rootfs"
  id=hardrun-smoke-$name-$(random_hex 4)
  STARTED+=("$id")
  rc=0
  timeout --kill-after=10 120 runc --root "$RUNC_ROOT" run --bundle "$bundle" "$id" \
    </dev/null >"$dir/run.out" 2>"$dir/run.err" || rc=$?
  runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 || true
  if [[ $rc != 0 ]]; then
    report not-ok "$name" "runc run exited $rc"
    diag "$dir/run.err"
    diag "$dir/run.out"
    return
  fi
  local problem
  if ! problem=$(check_probe "$dir/run.out" "$bundle/config.json" "$EXPECTED_HOST_ID"); then
    report not-ok "$name" "probe: $problem"
    diag "$dir/run.out"
    return
  fi
  report ok "$name" "hardened, ran under runc: uid $(probe_value "$dir/run.out" uid), caps 0, no_new_privs, seccomp, ro root, userns $(probe_value "$dir/run.out" uid_map)"
}

shopt -s nullglob
GOLDEN=("$GOLDEN_DIR"/*.in.json)
shopt -u nullglob
((${#GOLDEN[@]} > 0)) || die "no golden inputs in $GOLDEN_DIR"

# Every expected-refused case must exist, or the list has gone stale.
for c in "${EXPECTED_REFUSED[@]}"; do
  [[ -e $GOLDEN_DIR/$c.in.json ]] || die "expected-refused case $c has no $GOLDEN_DIR/$c.in.json"
done

echo "1..${#GOLDEN[@]}"
for g in "${GOLDEN[@]}"; do
  run_case "$g"
done
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
