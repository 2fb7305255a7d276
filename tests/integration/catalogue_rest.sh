#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Catalogue cases (tests/CATALOGUE.md) that no other tier covers and that need no running
# container: the secret sources and targets of `hardrun run --secret` (security.md §4.6 X1-X4,
# X9) and a full secrets tmpfs (§4.9 D4). Each refused run must exit with the stated status
# and one stderr line naming the file or target, leave the secret source byte-identical
# (sha256) and stage nothing in the secrets directory; podman is never started (the runs are
# refused before it).
#
# Needs root (a secret owned by another uid; the tmpfs for secrets) and jq; exit 77 (skip)
# otherwise unless HARDRUN_TEST_MUST_WORK=1. Environment: HARDRUN_BIN, HARDRUN_SOURCE_DIR.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
NAME=catalogue_rest
# shellcheck source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"

skip() { skip_tier "$NAME" "$1"; }
[[ $(id -u) == 0 ]] || skip "needs root (a secret owned by another uid, a tmpfs for secrets)"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
[[ -x $HARDRUN_BIN ]] || { echo "$NAME: FAIL: $HARDRUN_BIN is not built" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-catalogue-rest.XXXXXXXXXX")
chmod 0711 "$WORK"
SECRETS=$WORK/secrets
mkdir -m 0711 "$SECRETS"
mount -t tmpfs -o mode=0711,nosuid,nodev,noexec,size=4m tmpfs "$SECRETS"
cleanup() {
  umount "$SECRETS" 2>/dev/null || true
  umount "$WORK/tiny" 2>/dev/null || true
  if [[ -n ${PODMAN_DIR:-} ]]; then
    pm rm --all --force --time 0 >/dev/null 2>&1 || true
    private_podman_teardown || true
  fi
  rm -rf --one-file-system -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Should hardrun wrongly accept a case, the podman it starts uses a private, empty store.
mkdir -p "$WORK/podman"
private_podman_init "$WORK/podman"
private_podman_conf

CFG=$WORK/hardrun.json
jq -n --arg p "$PROFILE" --arg s "$SECRETS" \
  '{hardrunConfig: 1, profile: $p, runtime: "/usr/bin/runc", injectHook: false, requireHook: false, secretsDir: $s}' >"$CFG"
chmod 0644 "$CFG"
# Never pulled: every case below is refused before podman runs.
IMAGE=localhost/hardrun-catalogue@sha256:$(printf '%064d' 1)
umask 077
printf 'catalogue-secret-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$WORK/key.pem"
umask 022

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# secret_case NAME RC SUBSTRING SOURCE-TO-HASH --secret-ARG... (CASE_CFG and CASE_SECRETS, when
# set, replace the configuration and its secrets directory)
secret_case() {
  local name=$1 want=$2 substring=$3 source=$4 before rc=0 lines problems=()
  local cfg=${CASE_CFG:-$CFG} secrets=${CASE_SECRETS:-$SECRETS}
  shift 4
  before=$(sha "$source")
  local -a args=()
  local s
  for s in "$@"; do args+=(--secret "$s"); done
  timeout 30 "$HARDRUN_BIN" run --config "$cfg" --runtime runc "${args[@]}" "$IMAGE" true \
    >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
  lines=$(grep -c . "$WORK/err" || true)
  [[ $rc == "$want" ]] || problems+=("exit $rc, want $want")
  [[ $lines == 1 ]] || problems+=("$lines stderr lines, want 1")
  grep -qF -- "$substring" "$WORK/err" || problems+=("stderr lacks \"$substring\"")
  [[ $(sha "$source") == "$before" ]] || problems+=("the secret source changed")
  [[ -z $(find "$secrets" -mindepth 1 -print -quit) ]] || problems+=("something was staged: $(find "$secrets" -mindepth 1 | head -n 3 | tr '\n' ' ')")
  if ((${#problems[@]} == 0)); then
    report ok "$name" "exit $want, \"$substring\", source ORIG, nothing staged"
  else
    report not-ok "$name" "$(printf '%s; ' "${problems[@]}")"
    diag "$WORK/err"
  fi
}

ln -s key.pem "$WORK/link.pem"
secret_case X1-secret-symlink 1 "$WORK/link.pem: is a symbolic link" "$WORK/key.pem" "$WORK/link.pem"
cp "$WORK/key.pem" "$WORK/group.pem"
chmod 0640 "$WORK/group.pem"
secret_case X2-secret-group-readable 1 "insecure secret permissions 0640" "$WORK/group.pem" "$WORK/group.pem"
cp "$WORK/key.pem" "$WORK/world.pem"
chmod 0604 "$WORK/world.pem"
secret_case X2-secret-world-readable 1 "insecure secret permissions 0604" "$WORK/world.pem" "$WORK/world.pem"
cp "$WORK/key.pem" "$WORK/foreign.pem"
chmod 0600 "$WORK/foreign.pem"
chown 12345:12345 "$WORK/foreign.pem"
secret_case X2-secret-foreign-owner 1 "insecure secret permissions: owned by uid 12345" "$WORK/foreign.pem" "$WORK/foreign.pem"
secret_case X3-secret-missing 1 "$WORK/missing.pem: No such file or directory" "$WORK/key.pem" "$WORK/missing.pem"
for t in ../../etc/passwd /proc/self/environ a/b ..; do
  secret_case "X4-target-$t" 3 "must be a plain file name" "$WORK/key.pem" "$WORK/key.pem,target=$t"
done
secret_case X4-duplicate-target 1 "two secrets target /run/secrets/key.pem" "$WORK/key.pem" "$WORK/key.pem" "$WORK/key.pem,target=key.pem"
head -c $((512 * 1024 + 1)) /dev/zero >"$WORK/big.pem"
chmod 0600 "$WORK/big.pem"
secret_case X9-secret-over-cap 1 "exceeds 524288 bytes" "$WORK/big.pem" "$WORK/big.pem"
# One good secret and one refused: nothing of the good one is staged either.
secret_case X3-one-of-two-refused 1 "$WORK/missing.pem" "$WORK/key.pem" "$WORK/key.pem" "$WORK/missing.pem"

# D4: the secrets tmpfs fills up while a secret is copied to it. Refused with one line naming
# ENOSPC (exit 4, a system error), the partial copy and the stage directory removed, no bytes of
# the secret left on the tmpfs, podman never started. A tmpfs of 8 KiB and a 64 KiB secret; and
# one of 64 KiB where the first secret (16 KiB) fits and the second (96 KiB) does not: the one
# already copied goes too.
mkdir -m 0711 "$WORK/tiny"
mount -t tmpfs -o mode=0711,nosuid,nodev,noexec,size=8k tmpfs "$WORK/tiny"
jq --arg s "$WORK/tiny" '.secretsDir = $s' "$CFG" >"$WORK/tiny.json"
chmod 0644 "$WORK/tiny.json"
umask 077
head -c $((64 * 1024)) /dev/urandom >"$WORK/s64k.pem"
head -c $((16 * 1024)) /dev/urandom >"$WORK/s16k.pem"
head -c $((96 * 1024)) /dev/urandom >"$WORK/s96k.pem"
umask 022
CASE_CFG=$WORK/tiny.json CASE_SECRETS=$WORK/tiny \
  secret_case D4-secret-tmpfs-full 4 "No space left on device" "$WORK/s64k.pem" "$WORK/s64k.pem"
umount "$WORK/tiny"
mount -t tmpfs -o mode=0711,nosuid,nodev,noexec,size=64k tmpfs "$WORK/tiny"
CASE_CFG=$WORK/tiny.json CASE_SECRETS=$WORK/tiny \
  secret_case D4-second-secret-fills-tmpfs 4 "No space left on device" "$WORK/s96k.pem" "$WORK/s16k.pem" "$WORK/s96k.pem"
# Nothing of either secret is on the tmpfs: its used space is back to what an empty one uses.
used_kb=$(df -k --output=used "$WORK/tiny" | tail -n 1 | tr -d ' ')
if [[ $used_kb == 0 ]]; then
  report ok D4-no-secret-bytes-left "after the refused copies the tmpfs uses 0 KiB"
else
  report not-ok D4-no-secret-bytes-left "the tmpfs still uses $used_kb KiB"
fi
# And with room again the same run gets past the secrets (to podman, which cannot find the image
# that was never pulled): the refusal was the full tmpfs, not the secret. podman's pull policy
# "never" (its own containers.conf key) keeps it from trying a registry.
sed 's/^\[engine\]$/[engine]\npull_policy = "never"/' "$CONTAINERS_CONF" >"$WORK/never-pull.conf"
rc=0
CONTAINERS_CONF=$WORK/never-pull.conf timeout 30 "$HARDRUN_BIN" run --config "$WORK/tiny.json" --runtime runc --secret "$WORK/s16k.pem" "$IMAGE" true \
  >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
if [[ $rc == 125 ]] && grep -q "image not known" "$WORK/err" && ! grep -q "No space left on device" "$WORK/err" &&
  [[ -z $(find "$WORK/tiny" -mindepth 1 -print -quit) ]]; then
  report ok D4-control-fits "a 16 KiB secret on the same tmpfs gets past the secrets to podman (exit 125, image not known), nothing left on the tmpfs after"
else
  report not-ok D4-control-fits "exit $rc: $(head -c 300 "$WORK/err")"
fi
umount "$WORK/tiny"

tap_finish
