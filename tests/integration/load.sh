#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Load (security.md §4.8 K1): N (default 50) parallel `hardrun run --rm --secret …` starts on
# real podman 4.3.1 + runc, each with its own secret, then N parallel plain `podman run --rm` of
# the same image, in the same run. Every hardrun container is checked from inside (uid 10001,
# all capability sets 0, NoNewPrivs 1, Seccomp 2, read-only root, mapped user namespace, its
# own secret at /run/secrets/key.pem with mode 0400 and the right sha256); afterwards no
# secret file is left in the secrets tmpfs, no *.hardrun-tmp file anywhere, no container left.
# Prints wall times, per-start p50/p95 and the ratio hardrun / plain podman.
#
# Private podman as in launcher_podman.sh (storage, run root on a tmpfs, secrets on a tmpfs).
# Needs root, podman, runc, busybox-static, jq; exit 77 (skip) otherwise unless
# HARDRUN_TEST_MUST_WORK=1. Environment: HARDRUN_BIN, HARDRUN_RUNTIME, HARDRUN_SOURCE_DIR,
# HARDRUN_LOAD_N (parallel starts, default 50).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
HARDRUN_RUNTIME=${HARDRUN_RUNTIME:-$(dirname "$HARDRUN_BIN")/hardrun-runtime}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
LOAD_N=${HARDRUN_LOAD_N:-50}
NAME=load
# shellcheck source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"
# shellcheck source=lib/bundle.sh
source "$SCRIPT_DIR/lib/bundle.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"

skip() { skip_tier "$NAME" "$1"; }
[[ $(id -u) == 0 ]] || skip "needs root (rootful podman)"
for tool in podman runc jq sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
[[ -x $HARDRUN_BIN && -x $HARDRUN_RUNTIME ]] || { echo "$NAME: FAIL: hardrun binaries missing" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-load.XXXXXXXXXX")
chmod 0711 "$WORK"
private_podman_init "$WORK"
SECRETS=$WORK/secrets
mkdir -m 0711 "$SECRETS"
mount -t tmpfs -o mode=0711,nosuid,nodev,noexec,size=16m tmpfs "$SECRETS"
mkdir -p "$WORK/runroot"
mount -t tmpfs -o mode=0700 tmpfs "$WORK/runroot"
cleanup() {
  set +eu
  pm rm --all --force --time 0 >/dev/null 2>&1
  pm rmi --all --force >/dev/null 2>&1
  umount "$SECRETS" 2>/dev/null
  umount "$WORK/runroot" 2>/dev/null || umount --lazy "$WORK/runroot" 2>/dev/null
  private_podman_teardown
}
trap cleanup EXIT
trap 'exit 130' INT TERM
private_podman_conf

CFG=$WORK/hardrun.json
jq -n --arg p "$PROFILE" --arg s "$SECRETS" \
  '{hardrunConfig: 1, profile: $p, runtime: "/usr/bin/runc", injectHook: false, requireHook: false, secretsDir: $s}' >"$CFG"
chmod 0644 "$CFG"
make_template "$WORK/rootfs" /bin/busybox
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
pm import -q -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/hardrun-load:1 >/dev/null
DIGEST=$(pm image inspect --format '{{.Digest}}' localhost/hardrun-load:1)
IMAGE=localhost/hardrun-load@$DIGEST
jq -n '{process: {user: {uid: 10001}}}' >"$WORK/want.json"
umask 077
mkdir -p "$WORK/keys" "$WORK/out"
for ((i = 1; i <= LOAD_N; i++)); do
  printf 'hardrun-load-secret-%s-%s\n' "$i" "$(random_hex 16)" >"$WORK/keys/key-$i.pem"
done
umask 022
PROBE='sh /hardrun-probe; echo "secret=$(sha256sum /run/secrets/key.pem | cut -d" " -f1)"; echo "secret_stat=$(stat -c "%a %u:%g" /run/secrets/key.pem)"'
now_ns() { date +%s%N; }

# One start: its own timing (ns) and exit status next to its output.
hardrun_one() { # i
  local t0 rc=0
  t0=$(now_ns)
  "$HARDRUN_BIN" run --config "$CFG" --runtime runc --rm --name "load-h-$1" --secret "$WORK/keys/key-$1.pem,target=key.pem" \
    "$IMAGE" sh -c "$PROBE" >"$WORK/out/h-$1.out" 2>"$WORK/out/h-$1.err" </dev/null || rc=$?
  echo "$rc $(($(now_ns) - t0))" >"$WORK/out/h-$1.rc"
}
plain_one() { # i
  local t0 rc=0
  t0=$(now_ns)
  podman run --rm --runtime runc --name "load-p-$1" "$IMAGE" sh /hardrun-probe \
    >"$WORK/out/p-$1.out" 2>"$WORK/out/p-$1.err" </dev/null || rc=$?
  echo "$rc $(($(now_ns) - t0))" >"$WORK/out/p-$1.rc"
}
# round KIND: N parallel starts; sets WALL_MS, OK_COUNT, P50_MS, P95_MS.
round() { # h|p
  local fn=hardrun_one i t0 ms
  [[ $1 == p ]] && fn=plain_one
  t0=$(now_ns)
  for ((i = 1; i <= LOAD_N; i++)); do "$fn" "$i" & done
  wait
  WALL_MS=$((($(now_ns) - t0) / 1000000))
  OK_COUNT=0
  : >"$WORK/lat-$1"
  for ((i = 1; i <= LOAD_N; i++)); do
    read -r rc ms <"$WORK/out/$1-$i.rc"
    [[ $rc == 0 ]] && OK_COUNT=$((OK_COUNT + 1))
    echo $((ms / 1000000)) >>"$WORK/lat-$1"
  done
  mapfile -t lat < <(sort -n "$WORK/lat-$1")
  P50_MS=${lat[$((LOAD_N / 2))]}
  P95_MS=${lat[$((LOAD_N * 95 / 100))]}
}

echo "# $LOAD_N parallel hardrun run --rm --secret (shim + runc), image $IMAGE"
round h
H_WALL=$WALL_MS H_OK=$OK_COUNT H_P50=$P50_MS H_P95=$P95_MS
echo "# hardrun run: wall ${H_WALL} ms, per start p50 ${H_P50} ms, p95 ${H_P95} ms, $H_OK/$LOAD_N exit 0"
if ((H_OK == LOAD_N)); then
  report ok K1-all-started "$LOAD_N/$LOAD_N parallel hardrun run --secret exited 0 (wall ${H_WALL} ms)"
else
  report not-ok K1-all-started "$H_OK/$LOAD_N exited 0"
  for ((i = 1; i <= LOAD_N; i++)); do
    read -r rc _ <"$WORK/out/h-$i.rc"
    [[ $rc == 0 ]] || { echo "# load-h-$i: exit $rc: $(head -c 300 "$WORK/out/h-$i.err")"; }
  done | head -n 5
fi
bad=()
for ((i = 1; i <= LOAD_N; i++)); do
  out=$WORK/out/h-$i.out
  if ! problem=$(check_probe "$out" "$WORK/want.json" 100000); then
    bad+=("load-h-$i: $problem")
    continue
  fi
  want_sha=$(sha256sum "$WORK/keys/key-$i.pem" | cut -d' ' -f1)
  [[ $(probe_value "$out" secret) == "$want_sha" ]] || bad+=("load-h-$i: secret sha256 $(probe_value "$out" secret), want $want_sha")
  [[ $(probe_value "$out" secret_stat) == "400 10001:10001" ]] || bad+=("load-h-$i: secret stat $(probe_value "$out" secret_stat)")
done
if ((${#bad[@]} == 0)); then
  report ok K1-hardened-inside "all $LOAD_N seen from inside: uid 10001, Cap* 0, NoNewPrivs 1, Seccomp 2, read-only root, user namespace; own secret 0400 10001:10001 with the right sha256"
else
  report not-ok K1-hardened-inside "${#bad[@]} of $LOAD_N: $(printf '%s; ' "${bad[@]}" | head -c 600)"
fi
stray=$(find "$SECRETS" -mindepth 1 | head -n 5)
if [[ -z $stray ]]; then
  report ok K1-no-stray-secrets "the secrets tmpfs is empty after the $LOAD_N containers are gone"
else
  report not-ok K1-no-stray-secrets "left in $SECRETS: $stray"
fi
leaked=$(grep -rlsF --exclude-dir=overlay "hardrun-load-secret-" "$WORK/storage" "$WORK/runroot" 2>/dev/null | head -n 3 || true)
temps=$(find "$WORK/storage" "$WORK/runroot" -name '*.hardrun-tmp' 2>/dev/null | head -n 3)
if [[ -z $leaked && -z $temps ]]; then
  report ok K1-no-secret-on-disk "no secret content and no *.hardrun-tmp file below the storage or run root"
else
  report not-ok K1-no-secret-on-disk "secret in: $leaked; temp files: $temps"
fi
left=$(pm ps -a --format '{{.Names}}')
if [[ -z $left ]]; then
  report ok K1-no-leftover-containers "no container left after $LOAD_N hardrun run --rm"
else
  report not-ok K1-no-leftover-containers "left: $(echo "$left" | head -n 5 | tr '\n' ' ')"
fi

echo "# $LOAD_N parallel plain podman run --rm --runtime runc of the same image"
round p
P_WALL=$WALL_MS P_OK=$OK_COUNT P_P50=$P50_MS P_P95=$P95_MS
echo "# plain podman run: wall ${P_WALL} ms, per start p50 ${P_P50} ms, p95 ${P_P95} ms, $P_OK/$LOAD_N exit 0"
ratio=$(awk -v h="$H_WALL" -v p="$P_WALL" 'BEGIN { printf "%.2f", h / p }')
p50_ratio=$(awk -v h="$H_P50" -v p="$P_P50" 'BEGIN { printf "%.2f", h / p }')
echo "# ratio hardrun/plain: wall ${ratio}x, p50 ${p50_ratio}x (N=$LOAD_N, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
if ((P_OK == LOAD_N)); then
  report ok K1-wall-ratio "wall: hardrun ${H_WALL} ms vs plain podman ${P_WALL} ms = ${ratio}x; p50 ${H_P50} vs ${P_P50} ms = ${p50_ratio}x"
else
  report not-ok K1-wall-ratio "the baseline failed: $P_OK/$LOAD_N plain podman runs exited 0: $(head -c 300 "$WORK/out/p-1.err")"
fi
left=$(pm ps -a --format '{{.Names}}')
[[ -z $left ]] || report not-ok K1-baseline-cleanup "plain containers left: $(echo "$left" | head -n 3 | tr '\n' ' ')"

tap_finish
