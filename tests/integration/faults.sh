#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Fault injection (security.md §4.9, §4.10, §4.11 and R1/R6/R7/R15), on the real binaries:
#
#   M1  kill -9 of the runtime shim at random moments of a config.json rewrite (>= 100 kills):
#       config.json is always byte-identical to the original or completely hardened (passes
#       `hardrun check`), never partial; the real runtime starts only after a complete rewrite;
#       the temp files a kill leaves are removed by the next create. Plus a deterministic
#       sweep: SIGKILL at the Nth openat/write/fsync/renameat (strace -e inject).
#   D1  the bundle on a full tmpfs: refused with one line (exit 4, ENOSPC), ORIG, no temp file.
#   D2  ENOSPC injected on the Nth write; D3  EIO on fsync / renameat / fchmod: the same.
#   R1  a hook past its deadline: directly on a huge storage (hookDeadlineMs 100) and under real
#       podman with a slow stdin writer: denied with the timeout line, exit 5, nothing started.
#   H2  a hooks.d file whose binary is missing, an empty --hooks-dir (real podman): plain runc
#       runs the container (E5/E6, the threat); the shim refuses (requireHook) or injects the
#       hook itself (injectHook), which denies; install-hook refuses a missing binary.
#   H3  a later `podman start` of a refused container without the hooks dir: still refused.
#   M3  the hook SIGKILLed or SIGSEGV during the start (a wrapper that kills itself, the real
#       hardrun-hook killed mid-verification under strace): runc reports it, nothing ran.
#   M4  podman or conmon SIGKILLed while the hook runs: the hook still decides, nothing runs,
#       no process is left, a later podman start is refused (by the shim or the hook).
#   H6  the runtime the shim execs gets exactly the descriptors the shim was given (directly
#       with extra fds 7 and 9, and under podman: conmon's set with and without the shim).
#
# Needs root, podman, runc, strace, busybox-static, jq; exit 77 (skip) otherwise unless
# HARDRUN_TEST_MUST_WORK=1. Environment: HARDRUN_BIN, HARDRUN_RUNTIME, HARDRUN_HOOK,
# HARDRUN_FAULT_KILL (tests/integration/fault_kill.cpp), HARDRUN_SOURCE_DIR;
# HARDRUN_FAULT_KILLS (SIGKILLs that must land, default 100) and HARDRUN_FAULT_PAD_KB (config
# size, default 512).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
HARDRUN_RUNTIME=${HARDRUN_RUNTIME:-$(dirname "$HARDRUN_BIN")/hardrun-runtime}
HARDRUN_HOOK=${HARDRUN_HOOK:-$(dirname "$HARDRUN_BIN")/../hook/hardrun-hook}
HARDRUN_FAULT_KILL=${HARDRUN_FAULT_KILL:-$(dirname "$HARDRUN_BIN")/../tests/hardrun-fault-kill}
# An ASan+UBSan build (contrib/dev.sh's sanitizer stage): LeakSanitizer stops the world with
# ptrace, which strace already holds in the injection cases, so leak checking is off here (the
# unit tests and the other instrumented tiers run the same code with it on).
SANITIZED=0
if grep -q __asan_init "$HARDRUN_RUNTIME" 2>/dev/null; then
  SANITIZED=1
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
fi
KILLS=${HARDRUN_FAULT_KILLS:-100}
PAD_KB=${HARDRUN_FAULT_PAD_KB:-512}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
GOLDEN=$HARDRUN_SOURCE_DIR/tests/golden/uidmap-netnone.in.json
NAME=faults

# shellcheck source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"
skip() { skip_tier "$NAME" "$1"; }
[[ $(id -u) == 0 ]] || skip "needs root (tmpfs mounts, rootful podman)"
for tool in podman runc jq sha256sum strace; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
for b in "$HARDRUN_BIN" "$HARDRUN_RUNTIME" "$HARDRUN_HOOK" "$HARDRUN_FAULT_KILL"; do
  [[ -x $b ]] || { echo "$NAME: FAIL: $b is not built" >&2; exit 1; }
done
HARDRUN_HOOK=$(realpath -- "$HARDRUN_HOOK")
HARDRUN_RUNTIME=$(realpath -- "$HARDRUN_RUNTIME")

# shellcheck source=lib/bundle.sh
source "$SCRIPT_DIR/lib/bundle.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"
# shellcheck source=lib/hookrun.sh
source "$SCRIPT_DIR/lib/hookrun.sh"

umask 022
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-faults.XXXXXXXXXX")
# Container root is an unmapped host id: it must be able to traverse to its bundle.
chmod 0711 "$WORK"
RUN_TAG="faults-$$-$(random_hex 4)"
cleanup() {
  set +eu
  if [[ -n ${PODMAN_DIR:-} ]]; then
    pm rm --all --force --time 0 >/dev/null 2>&1
    pm rmi --all --force >/dev/null 2>&1
  fi
  # The kill trials leave the shim's temp files of these records too (a kill before the rename).
  rm -f /run/hardrun/containers/"$RUN_TAG"-*.json /run/hardrun/containers/."$RUN_TAG"-*.hardrun-tmp
  local id
  for id in $(cat "$WORK/podman-ids" 2>/dev/null); do rm -f "/run/hardrun/containers/$id.json"; done
  # And the records of --rm containers (H6): the shim sweeps a record on a later delete, once its
  # bundle is gone, so the last ones of this run are still there. Ours name files under $WORK.
  grep -l -F -- "\"$WORK/" /run/hardrun/containers/*.json 2>/dev/null | xargs -r rm -f --
  umount "$WORK/full" 2>/dev/null
  if [[ -n ${PODMAN_DIR:-} ]]; then
    umount "$PODMAN_DIR/runroot" 2>/dev/null || umount --lazy "$PODMAN_DIR/runroot" 2>/dev/null
    private_podman_teardown
  fi
  rm -rf --one-file-system -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sha() { sha256sum <"$1" | cut -d' ' -f1; }
now_ns() { date +%s%N; }
temps_in() { find "$1" -name '*.hardrun-tmp' | wc -l; }

# --- fixtures: a bundle config, the shim's configuration, a marker runtime ---------------------
# The captured podman config without the bind mounts of podman's own userdata files (they name
# the capture's container), padded with annotations to PAD_KB KiB so that a rewrite takes long
# enough (parse, harden, serialize, write, fsync) for random kill times to land inside it.
ORIG=$WORK/orig.json
jq -c --argjson n "$PAD_KB" '.mounts |= map(select((.source | test("^/tmp/tmp\\.")) | not))
  | .annotations = ((.annotations // {}) + ([range(0; $n) | {key: "x.fault.pad.\(.)", value: ("p" * 1000)}] | from_entries))' \
  "$GOLDEN" >"$ORIG"
ORIG_SHA=$(sha "$ORIG")
# Unpadded, for the syscall-level cases (hundreds of runs) and the small tmpfs.
SMALL=$WORK/small.json
jq -c '.mounts |= map(select((.source | test("^/tmp/tmp\\.")) | not))' "$GOLDEN" >"$SMALL"
mkdir -p "$WORK/ran" "$WORK/secrets"
# The real runtime stand-in: records that it was started (the shim execs it only after the
# config is complete) and exits 0.
printf '#!/bin/sh\n# create --bundle B ID: record ID\n: >"%s/ran/$4"\n' "$WORK" >"$WORK/marker-runtime"
chmod 0755 "$WORK/marker-runtime"
CFG=$WORK/hardrun.json
jq -n --arg p "$PROFILE" --arg s "$WORK/secrets" \
  '{hardrunConfig: 1, profile: $p, injectHook: false, requireHook: false, secretsDir: $s}' >"$CFG"

new_bundle() { # dir [config]
  mkdir -m 0700 "$1"
  cp -- "${2:-$ORIG}" "$1/config.json"
}
shim_argv() { # bundle id
  SHIM_ARGV=("$HARDRUN_RUNTIME" "--hardrun-config=$CFG" "--hardrun-runtime=$WORK/marker-runtime" create --bundle "$1" "$2")
}
# ORIG | HARDENED | PARTIAL for a bundle's config.json (ORIG: the sha256 given, default ORIG's).
config_state() { # bundle [orig-sha]
  if [[ $(sha "$1/config.json") == "${2:-$ORIG_SHA}" ]]; then
    echo ORIG
  elif "$HARDRUN_BIN" check --policy "$PROFILE" "$1/config.json" >/dev/null 2>&1; then
    echo HARDENED
  else
    echo PARTIAL
  fi
}

# --- M1: kill -9 at random moments ------------------------------------------------------------
echo "# M1: calibrating the rewrite of a $(($(stat -c %s "$ORIG") / 1024)) KiB config.json"
times=()
for i in 1 2 3; do
  b=$WORK/cal$i
  new_bundle "$b"
  shim_argv "$b" "$RUN_TAG-cal$i"
  t0=$(now_ns)
  out=$("$HARDRUN_FAULT_KILL" 60000000 "${SHIM_ARGV[@]}" 2>"$WORK/cal.err")
  times+=($((($(now_ns) - t0) / 1000)))
  [[ $out == "exited 0" && $(config_state "$b") == HARDENED ]] || {
    report not-ok M1-calibration "an unkilled shim run: $out, $(config_state "$b"): $(head -c 300 "$WORK/cal.err")"
    tap_finish
    exit 1
  }
done
mapfile -t sorted < <(printf '%s\n' "${times[@]}" | sort -n)
SPAN_US=${sorted[1]}
echo "# M1: an unkilled run takes ${sorted[1]} us (median of 3); kill delays uniform in [0, $SPAN_US] us"

declare -A COUNT=([ORIG]=0 [HARDENED]=0 [PARTIAL]=0)
killed=0 exited=0 orig_with_temp=0 ran_unhardened=0 ran_hardened=0 temps_left=0 reruns=0 rerun_bad=0
bad_trials=()
rand_us() { # max
  echo $((((RANDOM << 30) | (RANDOM << 15) | RANDOM) % ($1 + 1)))
}
# Trials until KILLS of them were really killed (a run that finished before its delay counts
# as a trial, not a kill), at most 3 * KILLS trials.
for ((i = 1; killed < KILLS && i <= 3 * KILLS; i++)); do
  b=$WORK/kill/b$i
  mkdir -p "$WORK/kill"
  new_bundle "$b"
  id=$RUN_TAG-k$i
  shim_argv "$b" "$id"
  delay=$(rand_us "$SPAN_US")
  out=$("$HARDRUN_FAULT_KILL" "$delay" "${SHIM_ARGV[@]}" 2>/dev/null)
  case $out in killed) killed=$((killed + 1)) ;; exited*) exited=$((exited + 1)) ;; esac
  # The calibration is three runs; when the host's load changes (or a sanitizer build's start-up
  # varies) most delays can fall after the run ends. Follow the real duration: a run that
  # finished first shrinks the window by 10 %, a kill widens it by 5 %, so about two trials in
  # three stay kills whatever the load does.
  case $out in
    killed) SPAN_US=$((SPAN_US * 21 / 20 + 1)) ;;
    exited*) SPAN_US=$((SPAN_US * 9 / 10)) ;;
  esac
  state=$(config_state "$b")
  COUNT[$state]=$((COUNT[$state] + 1))
  t=$(temps_in "$b")
  if [[ -e $WORK/ran/$id ]]; then
    if [[ $state == HARDENED ]]; then ran_hardened=$((ran_hardened + 1)); else ran_unhardened=$((ran_unhardened + 1)); fi
  fi
  [[ $state != PARTIAL ]] || bad_trials+=("trial $i (delay ${delay} us, $out): partial config.json")
  if ((t > 0)); then
    [[ $state == ORIG ]] && orig_with_temp=$((orig_with_temp + 1))
    temps_left=$((temps_left + t))
  fi
  # M1: re-running create succeeds, and sweeps what the kill left. Every trial that left a temp
  # file, and every tenth one.
  if ((t > 0 || i % 10 == 0)); then
    reruns=$((reruns + 1))
    rc=0
    "${SHIM_ARGV[@]}" >/dev/null 2>"$WORK/rerun.err" || rc=$?
    if [[ $rc != 0 || $(config_state "$b") != HARDENED || $(temps_in "$b") != 0 ]]; then
      rerun_bad=$((rerun_bad + 1))
      bad_trials+=("trial $i: re-run exit $rc, $(config_state "$b"), $(temps_in "$b") temp file(s): $(head -c 200 "$WORK/rerun.err")")
    fi
  fi
  rm -rf -- "$b"
done
TRIALS=$((i - 1))
echo "# M1: $TRIALS trials: $killed killed, $exited finished first; config.json ORIG ${COUNT[ORIG]} ($orig_with_temp with a temp file left), HARDENED ${COUNT[HARDENED]}, PARTIAL ${COUNT[PARTIAL]}; runtime started $ran_hardened times, all on a hardened config"
if ((COUNT[PARTIAL] == 0 && ran_unhardened == 0)); then
  report ok M1-kill-random "$TRIALS trials, $killed killed: ORIG ${COUNT[ORIG]}, HARDENED ${COUNT[HARDENED]}, PARTIAL 0; the runtime never started on an unhardened config"
else
  report not-ok M1-kill-random "PARTIAL ${COUNT[PARTIAL]}, runtime started on an unhardened config $ran_unhardened times: $(printf '%s; ' "${bad_trials[@]}" | head -c 600)"
fi
if ((killed >= KILLS && COUNT[ORIG] > 0 && COUNT[HARDENED] > 0)); then
  report ok M1-kill-coverage "the kills landed on both sides of the rename (ORIG ${COUNT[ORIG]}, HARDENED ${COUNT[HARDENED]}; final delay window $SPAN_US us)"
else
  report not-ok M1-kill-coverage "want $KILLS kills with both outcomes; $killed killed, ORIG ${COUNT[ORIG]}, HARDENED ${COUNT[HARDENED]}"
fi
if ((rerun_bad == 0)); then
  report ok M1-rerun-sweeps "$reruns re-runs of create succeeded; $temps_left temp file(s) left by $orig_with_temp kills, all removed by the next create"
else
  report not-ok M1-rerun-sweeps "$rerun_bad of $reruns re-runs: $(printf '%s; ' "${bad_trials[@]}" | tail -c 600)"
fi

# Deterministic: SIGKILL at the Nth call of each syscall of the write path (strace -e inject).
# strace counts invocations per syscall; N runs until a run finishes without meeting the Nth.
SMALL_SHA=$(sha "$SMALL")
strace_case() { # id-suffix inject-expression -> SRC (strace's exit status), leaves bundle in B
  B=$WORK/strace/b-$1
  mkdir -p "$WORK/strace"
  rm -rf -- "$B"
  new_bundle "$B" "$SMALL"
  shim_argv "$B" "$RUN_TAG-s$1"
  # In a subshell: bash's own "Killed" notice for the SIGKILL cases goes to /dev/null.
  SRC=$( (
    rc=0
    strace -o /dev/null -e "inject=$2" "${SHIM_ARGV[@]}" >/dev/null 2>"$WORK/strace.err" || rc=$?
    echo "$rc"
  ) 2>/dev/null)
}
m1_bad=() m1_runs=0
for call in openat write fsync renameat fchmod close; do
  for ((n = 1; n <= 40; n++)); do
    strace_case "kill-$call-$n" "$call:signal=SIGKILL:when=$n"
    m1_runs=$((m1_runs + 1))
    state=$(config_state "$B" "$SMALL_SHA")
    if [[ $state == PARTIAL ]]; then m1_bad+=("$call #$n: partial"); fi
    if [[ -e $WORK/ran/$RUN_TAG-s"kill-$call-$n" ]]; then
      if [[ $state != HARDENED ]]; then m1_bad+=("$call #$n: runtime ran on $state"); fi
      break # the shim finished (the runtime stand-in ran): no later call to kill
    fi
  done
done
if ((${#m1_bad[@]} == 0)); then
  report ok M1-kill-at-syscall "$m1_runs runs killed at the Nth openat/write/fsync/renameat/fchmod/close: never partial"
else
  report not-ok M1-kill-at-syscall "${m1_bad[*]:0:5}"
fi

# --- D2/D3: ENOSPC on the Nth write, EIO on fsync / renameat / fchmod ---------------------------
# Each: either the whole rewrite succeeded (the injected call was not on its path) and the
# config is hardened, or the shim exits non-zero with one line naming the call, ORIG, no temp
# file, and the real runtime never started.
errno_case() { # name inject-expression want-substring
  strace_case "$1" "$2"
  local state ran=no lines
  state=$(config_state "$B" "$SMALL_SHA")
  [[ -e $WORK/ran/$RUN_TAG-s$1 ]] && ran=yes
  if [[ $ran == yes ]]; then
    [[ $state == HARDENED && $(temps_in "$B") == 0 ]] && ERRNO_RESULT=passed-through || ERRNO_RESULT="runtime ran on $state"
    return
  fi
  lines=$(grep -c . "$WORK/strace.err" || true)
  if [[ $SRC == 4 && $state == ORIG && $(temps_in "$B") == 0 && $lines == 1 ]] && grep -q -- "$3" "$WORK/strace.err"; then
    ERRNO_RESULT=refused
  else
    ERRNO_RESULT="exit $SRC, $state, $(temps_in "$B") temp, $lines stderr line(s): $(head -c 200 "$WORK/strace.err")"
  fi
}
d2_refused=0 d2_bad=()
# Under UBSan the Nth write is not hardrun's: its vptr check probes memory by writing to a pipe
# on polymorphic calls, and an injected ENOSPC there aborts the sanitizer runtime. D2 runs in
# the uninstrumented build of the same tier.
if ((SANITIZED)); then d2_refused=-1; fi
for ((n = 1; n <= 12 && d2_refused >= 0; n++)); do
  errno_case "enospc-$n" "write:error=ENOSPC:when=$n" "No space left on device"
  case $ERRNO_RESULT in
    refused) d2_refused=$((d2_refused + 1)) ;;
    passed-through) break ;;
    *) d2_bad+=("write #$n: $ERRNO_RESULT") ;;
  esac
done
if ((d2_refused < 0)); then
  report ok "D2-enospc-nth-write # SKIP" "not run in a sanitizer build (UBSan's own writes would take the injected ENOSPC); run in the plain build"
elif ((${#d2_bad[@]} == 0 && d2_refused > 0)); then
  report ok D2-enospc-nth-write "ENOSPC on write 1..$n: $d2_refused refused (exit 4, one line, ORIG, no temp file), then the rewrite needs no more writes"
else
  report not-ok D2-enospc-nth-write "$d2_refused refused; ${d2_bad[*]:0:3}"
fi
for spec in "fsync:fsync:error=EIO:when=1:fsync" "fsync-dir:fsync:error=EIO:when=2:fsync directory" \
  "renameat:renameat:error=EIO:when=1:rename" "fchmod:fchmod:error=EIO:when=1:fchmod"; do
  IFS=: read -r nm call errspec when want <<<"$spec"
  errno_case "eio-$nm" "$call:$errspec:$when" "$want"
  if [[ $nm == fsync-dir ]]; then
    # After the rename only the durability of the directory entry is in doubt: the new file
    # is complete. The shim still refuses (no runtime start on an unconfirmed write).
    state=$(config_state "$B" "$SMALL_SHA")
    if [[ $SRC == 4 && $state != PARTIAL && ! -e $WORK/ran/$RUN_TAG-seio-$nm ]] && grep -q "fsync directory" "$WORK/strace.err"; then
      report ok D3-eio-fsync-directory "EIO on the directory fsync: exit 4, names it, config $state (complete), runtime not started"
    else
      report not-ok D3-eio-fsync-directory "exit $SRC, $state: $(head -c 200 "$WORK/strace.err")"
    fi
    continue
  fi
  if [[ $ERRNO_RESULT == refused ]]; then
    report ok "D3-eio-$nm" "EIO on $call: exit 4, one line naming it, ORIG, no temp file, runtime not started"
  else
    report not-ok "D3-eio-$nm" "$ERRNO_RESULT"
  fi
done

# --- D1: the bundle on a full tmpfs --------------------------------------------------------------
mkdir -p "$WORK/full"
mount -t tmpfs -o size=256k,mode=0711 tmpfs "$WORK/full"
B=$WORK/full/bundle
new_bundle "$B" "$SMALL"
before=$(sha "$B/config.json")
dd if=/dev/zero of="$WORK/full/fill" bs=4k status=none 2>/dev/null || true # until ENOSPC
free_kb=$(df -k --output=avail "$WORK/full" | tail -n 1 | tr -d ' ')
shim_argv "$B" "$RUN_TAG-full"
rc=0
"${SHIM_ARGV[@]}" >/dev/null 2>"$WORK/full.err" || rc=$?
lines=$(grep -c . "$WORK/full.err" || true)
if [[ $rc == 4 && $lines == 1 && $(sha "$B/config.json") == "$before" && $(temps_in "$B") == 0 && ! -e $WORK/ran/$RUN_TAG-full ]] &&
  grep -q "No space left on device" "$WORK/full.err"; then
  report ok D1-full-tmpfs "bundle on a full tmpfs (${free_kb} KiB free): exit 4, one line, ORIG, no temp file, runtime not started: $(cat "$WORK/full.err")"
else
  report not-ok D1-full-tmpfs "exit $rc, $lines line(s), ORIG $([[ $(sha "$B/config.json") == "$before" ]] && echo yes || echo no), $(temps_in "$B") temp: $(head -c 300 "$WORK/full.err")"
fi
rm -f "$WORK/full/fill"
rc=0
"${SHIM_ARGV[@]}" >/dev/null 2>"$WORK/full.err" || rc=$?
if [[ $rc == 0 && $(config_state "$B" "$SMALL_SHA") == HARDENED && -e $WORK/ran/$RUN_TAG-full ]]; then
  report ok D1-full-tmpfs-recovers "with space again the same create succeeds"
else
  report not-ok D1-full-tmpfs-recovers "exit $rc: $(head -c 300 "$WORK/full.err")"
fi
umount "$WORK/full"

# --- R1: the hook past its deadline on a huge storage (no podman) ------------------------------
# A copy of the captured storage fixture whose containers.json carries 150 000 extra records
# (about 40 MiB, under the 64 MiB cap): reading it takes longer than hookDeadlineMs = 100.
# shellcheck disable=SC1091
. "$HARDRUN_SOURCE_DIR/tests/data/image/fixture.env"
S=$WORK/storage
cp -r "$HARDRUN_SOURCE_DIR/tests/data/image/storage" "$S"
find "$S" -type d -exec chmod 700 {} +
find "$S" -type f -exec chmod 600 {} +
mkdir -p "$S/overlay-containers/$CTR_GPG_DIGEST/userdata"
chmod 700 "$S/overlay-containers/$CTR_GPG_DIGEST/userdata"
{
  awk -v n=150000 'BEGIN { printf "["; for (i = 0; i < n; i++) printf "{\"id\":\"c%063d\",\"names\":[\"synthetic-%d\"],\"image\":\"a%063d\",\"layer\":\"b%063d\",\"metadata\":\"{}\",\"created\":\"2026-01-01T00:00:00Z\"},", i, i, i, i }'
  tail -c +2 "$S/overlay-containers/containers.json"
} >"$S/containers.json.new"
mv -f "$S/containers.json.new" "$S/overlay-containers/containers.json"
chmod 600 "$S/overlay-containers/containers.json"
echo '{"default":[{"type":"reject"}]}' >"$WORK/reject-policy.json"
mkdir -p "$WORK/registries.d"
hook_config() { # file deadline-ms
  jq -n --arg pol "$WORK/reject-policy.json" --arg regd "$WORK/registries.d" --arg prof "$PROFILE" --argjson ms "$2" \
    '{hardrunConfig: 1, mode: "enforce", signaturePolicy: $pol, registriesDir: $regd, profile: $prof,
      hookDeadlineMs: $ms, hookTimeoutSeconds: 15}' >"$1"
  chmod 0600 "$1"
}
hook_config "$WORK/hook-100ms.json" 100
hook_config "$WORK/hook-10s.json" 10000
state_json=$(printf '{"ociVersion":"1.0.2-dev","id":"%s","status":"creating","bundle":"%s"}' \
  "$CTR_GPG_DIGEST" "$S/overlay-containers/$CTR_GPG_DIGEST/userdata")
t0=$(now_ns)
rc=0
"$HARDRUN_HOOK" --config "$WORK/hook-100ms.json" <<<"$state_json" >/dev/null 2>"$WORK/hook.err" || rc=$?
ms=$((($(now_ns) - t0) / 1000000))
lines=$(grep -c . "$WORK/hook.err" || true)
if [[ $rc == 5 && $lines == 1 ]] && grep -q "hardrun-hook: deny: timeout: no decision within 100 ms" "$WORK/hook.err" && ((ms < 2000)); then
  report ok R1-deadline-huge-storage "hook on a 40 MiB containers.json with hookDeadlineMs 100: exit 5 after $ms ms, one timeout line"
else
  report not-ok R1-deadline-huge-storage "exit $rc after $ms ms, $lines line(s): $(head -c 300 "$WORK/hook.err")"
fi
# Control: with the default deadline the same storage is read and decided (a deny on policy).
rc=0
"$HARDRUN_HOOK" --config "$WORK/hook-10s.json" <<<"$state_json" >/dev/null 2>"$WORK/hook.err" || rc=$?
if [[ $rc != 5 && $rc != 0 ]] && ! grep -q "deny: timeout" "$WORK/hook.err"; then
  report ok R1-deadline-control "the same storage with hookDeadlineMs 10000: decided (exit $rc), no timeout"
else
  report not-ok R1-deadline-control "exit $rc: $(head -c 300 "$WORK/hook.err")"
fi
rm -rf -- "$S"

# --- podman: a private instance, a locally imported image pinned by digest ---------------------
mkdir -p "$WORK/podman"
private_podman_init "$WORK/podman"
mkdir -p "$PODMAN_DIR/runroot"
mount -t tmpfs -o mode=0700 tmpfs "$PODMAN_DIR/runroot"
make_template "$WORK/rootfs" /bin/busybox
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
pm import -q -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/hardrun-faults:1 >/dev/null
DIGEST=$(pm image inspect --format '{{.Digest}}' localhost/hardrun-faults:1)
IMAGE=localhost/hardrun-faults@$DIGEST
RUNOPTS=(--pull never --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
  --uidmap 0:100000:65536 --gidmap 0:100000:65536)
# The hook's trust policy rejects everything: wherever the hook runs, it denies.
CFG_REQUIRE=$WORK/require.json
hardrun_config_write "$CFG_REQUIRE" enforce "$WORK/reject-policy.json" "$WORK/registries.d" "$PROFILE" "$HARDRUN_HOOK"
CFG_INJECT=$WORK/inject.json
jq '.injectHook = true' "$CFG_REQUIRE" >"$CFG_INJECT"
chmod 0644 "$CFG_REQUIRE" "$CFG_INJECT"
EMPTY_HOOKS=$WORK/empty-hooks.d
mkdir -p "$EMPTY_HOOKS"
# The private flags with another hooks dir in place of the private one.
flags_with_hooks_dir() { # dir
  local i
  HFLAGS=()
  for ((i = 0; i < ${#PODMAN_FLAGS[@]}; i++)); do
    if [[ ${PODMAN_FLAGS[i]} == --hooks-dir ]]; then
      i=$((i + 1))
      continue
    fi
    HFLAGS+=("${PODMAN_FLAGS[i]}")
  done
  HFLAGS+=(--hooks-dir "$1")
}

# ctr NAME HOOKS-DIR CONFIG|- [start]: podman run (or start) of IMAGE through the shim with
# CONFIG (- = plain runc, no shim); the command prints a canary. Leaves RC, ERR, RAN.
ctr() {
  local name=$1 hooks=$2 cfg=$3 verb=${4:-run}
  local -a rt
  flags_with_hooks_dir "$hooks"
  if [[ $cfg == - ]]; then rt=(--runtime runc); else
    rt=(--runtime "$HARDRUN_RUNTIME" --runtime-flag "hardrun-config=$cfg" --runtime-flag hardrun-runtime=/usr/sbin/runc)
  fi
  ERR=$WORK/$name.$verb.err
  local out=$WORK/$name.$verb.out
  RC=0
  if [[ $verb == run ]]; then
    podman "${HFLAGS[@]}" "${rt[@]}" run --name "$name" "${RUNOPTS[@]}" "$IMAGE" sh -c "echo ran-\$((6*7))-$name" \
      >"$out" 2>"$ERR" </dev/null || RC=$?
    podman "${HFLAGS[@]}" inspect --format '{{.Id}}' "$name" >>"$WORK/podman-ids" 2>/dev/null || true
  else
    podman "${HFLAGS[@]}" "${rt[@]}" start --attach "$name" >"$out" 2>"$ERR" </dev/null || RC=$?
  fi
  if grep -q "^ran-42-$name\$" "$out"; then RAN=yes; else RAN=no; fi
}
# expect_refused NAME WHAT SUBSTRING
expect_refused() {
  if [[ $RC != 0 && $RAN == no ]] && grep -q -- "$3" "$ERR"; then
    report ok "$1" "$2: podman rc $RC, the process never ran, \"$3\""
  else
    report not-ok "$1" "$2: podman rc $RC, ran $RAN, want \"$3\": $(head -c 300 "$ERR")"
  fi
}

# --- R1 under podman: a slow stdin writer between runc and the real hook -----------------------
# The hooks.d entry runs the real hardrun-hook behind a pipe that delivers runc's state after
# 600 ms; the hook's 100 ms deadline (armed when it starts) expires first.
cat >"$WORK/slow-stdin-hook" <<EOF
#!/bin/sh
# Passes runc's state to hardrun-hook 600 ms late; the hook's exit status is the pipeline's.
{ sleep 0.6; cat; } | "$HARDRUN_HOOK" "\$@"
EOF
chmod 0755 "$WORK/slow-stdin-hook"
mkdir -p "$WORK/slow-hooks.d"
jq -n --arg p "$WORK/slow-stdin-hook" --arg c "$WORK/hook-100ms.json" \
  '{version: "1.0.0", hook: {path: $p, args: ["slow-stdin-hook", "--config", $c], env: ["PATH=/usr/sbin:/usr/bin:/bin", "LC_ALL=C"], timeout: 15},
    when: {always: true}, stages: ["prestart"]}' >"$WORK/slow-hooks.d/50-hardrun.json"
jq '.requireHook = false' "$CFG_REQUIRE" >"$WORK/norequire.json"
chmod 0644 "$WORK/norequire.json"
t0=$(now_ns)
ctr slow-hook "$WORK/slow-hooks.d" "$WORK/norequire.json"
ms=$((($(now_ns) - t0) / 1000000))
expect_refused R1-deadline-podman "hook behind a slow stdin writer, hookDeadlineMs 100 (${ms} ms)" \
  "hardrun-hook: deny: timeout: no decision within 100 ms"
grep -q "exit status 5" "$ERR" && report ok R1-deadline-podman-status "runc reports the hook's exit status 5 (timeout)" ||
  report not-ok R1-deadline-podman-status "no 'exit status 5' in: $(head -c 300 "$ERR")"
pm rm --force slow-hook >/dev/null 2>&1 || true

# --- H2: hooks.d fails open; the shim does not ---------------------------------------------------
MISSING_HOOKS=$WORK/missing-hooks.d
hook_json_write "$MISSING_HOOKS" "$WORK/no-such-dir/hardrun-hook" "$CFG_REQUIRE" "$WORK/reject-policy.json"
ctr e5-plain "$MISSING_HOOKS" -
if [[ $RC == 0 && $RAN == yes ]]; then
  report ok H2-E5-plain-runc "the threat: hooks.d names a missing hook binary, plain runc: podman runs the container (E5)"
else
  report not-ok H2-E5-plain-runc "want the fail-open reproduced (rc 0, ran); rc $RC ran $RAN: $(head -c 200 "$ERR")"
fi
ctr e6-plain "$EMPTY_HOOKS" -
if [[ $RC == 0 && $RAN == yes ]]; then
  report ok H2-E6-plain-runc "the threat: an empty --hooks-dir, plain runc: podman runs the container (E6)"
else
  report not-ok H2-E6-plain-runc "want the fail-open reproduced; rc $RC ran $RAN: $(head -c 200 "$ERR")"
fi
pm rm --force e5-plain e6-plain >/dev/null 2>&1 || true
ctr missing-require "$MISSING_HOOKS" "$CFG_REQUIRE"
expect_refused H2-missing-binary-require "missing hook binary, shim with requireHook" "hardrun hook not present"
ctr empty-require "$EMPTY_HOOKS" "$CFG_REQUIRE"
expect_refused H2-empty-hooks-dir-require "empty --hooks-dir, shim with requireHook" "hardrun hook not present"
ctr missing-inject "$MISSING_HOOKS" "$CFG_INJECT"
expect_refused H2-missing-binary-inject "missing hook binary, shim with injectHook: the shim's own hook entry runs and denies" "hardrun-hook: deny:"
ctr empty-inject "$EMPTY_HOOKS" "$CFG_INJECT"
expect_refused H2-empty-hooks-dir-inject "empty --hooks-dir, shim with injectHook: the injected hook denies" "hardrun-hook: deny:"
jq --arg h "$WORK/no-such-dir/hardrun-hook" '.hookPath = $h' "$CFG_REQUIRE" >"$WORK/missing-hookpath.json"
chmod 0644 "$WORK/missing-hookpath.json"
rc=0
"$HARDRUN_BIN" install-hook --config "$WORK/missing-hookpath.json" --hooks-dir "$WORK/installed.d" >/dev/null 2>"$WORK/install.err" || rc=$?
if [[ $rc == 1 && -z $(find "$WORK/installed.d" -name '*.json' 2>/dev/null) ]] && grep -q "no-such-dir/hardrun-hook" "$WORK/install.err"; then
  report ok H2-install-hook-missing-binary "install-hook refuses a missing hook binary (exit 1, names it, writes nothing)"
else
  report not-ok H2-install-hook-missing-binary "exit $rc: $(head -c 300 "$WORK/install.err")"
fi

# --- H3: a later podman start of the refused containers, without any hooks dir -----------------
for c in "missing-require|hardrun hook not present|$CFG_REQUIRE" "missing-inject|hardrun-hook: deny:|$CFG_INJECT"; do
  IFS='|' read -r name want cfg <<<"$c"
  state=$(pm inspect --format '{{.State.Status}}' "$name" 2>/dev/null || echo missing)
  ctr "$name" "$EMPTY_HOOKS" "$cfg" start
  expect_refused "H3-start-$name" "podman start (state was $state) of the container refused at run, empty hooks dir" "$want"
  state=$(pm inspect --format '{{.State.Status}}' "$name" 2>/dev/null || echo missing)
  [[ $state != running && $state != exited ]] && report ok "H3-state-$name" "after the refused start the container is $state, never ran" ||
    report not-ok "H3-state-$name" "state $state"
done
pm rm --force missing-require empty-require missing-inject empty-inject >/dev/null 2>&1 || true

# --- M3: the hook dies by a signal during the start ----------------------------------------------
# runc must report a hook that was SIGKILLed or crashed (SIGSEGV) as an error and never start
# the container's process (security.md §4.10 M3): a hook that dies gave no verdict, and no
# verdict is a deny. Two kinds of hooks.d entry: a wrapper that reads the state and kills itself,
# and the real hardrun-hook under strace, killed as it opens the store's images.json (mid
# verification: the container's record is read, no manifest or signature yet). Plain runc and
# through the shim (requireHook off: these entries are not the hardrun hook the shim looks for).
m3_hooks_dir() { # dir path args-json
  mkdir -p "$1"
  jq -n --arg p "$2" --argjson a "$3" \
    '{version: "1.0.0", hook: {path: $p, args: $a, env: ["PATH=/usr/sbin:/usr/bin:/bin", "LC_ALL=C"], timeout: 15},
      when: {always: true}, stages: ["prestart"]}' >"$1/50-hardrun.json"
}
m3_names=()
for sig in KILL SEGV; do
  case $sig in KILL) said="signal: killed" ;; SEGV) said="signal: segmentation fault" ;; esac
  # An instrumented hook catches the SIGSEGV itself (ASan's handler), and the report it starts
  # makes a syscall its sandbox forbids: it dies of SIGSYS instead. Still no verdict, still denied.
  said_real=$said
  [[ $sig == SEGV ]] && ((SANITIZED)) && said_real="signal: bad system call"
  printf '#!/bin/sh\n# Reads the OCI state as a hook does, then dies by SIG%s.\ncat >/dev/null\nkill -%s $$\n' "$sig" "$sig" >"$WORK/die-$sig"
  chmod 0755 "$WORK/die-$sig"
  m3_hooks_dir "$WORK/m3-die-$sig.d" "$WORK/die-$sig" '["die"]'
  m3_hooks_dir "$WORK/m3-hook-$sig.d" "$(command -v strace)" "$(jq -cn --arg h "$HARDRUN_HOOK" --arg c "$CFG_REQUIRE" \
    --arg p "$PODMAN_DIR/storage/overlay-images/images.json" --arg s "$sig" \
    '["strace", "-o", "/dev/null", "-P", $p, "-e", "inject=openat:signal=SIG\($s)", $h, "--config", $c]')"
  n=${sig,,}
  ctr "m3-sig$n-plain" "$WORK/m3-die-$sig.d" -
  expect_refused "M3-hook-sig$n-plain-runc" "a hook that dies by SIG$sig, plain runc" "$said"
  ctr "m3-sig$n-shim" "$WORK/m3-die-$sig.d" "$WORK/norequire.json"
  expect_refused "M3-hook-sig$n-shim" "a hook that dies by SIG$sig, through the shim" "$said"
  ctr "m3-real-sig$n" "$WORK/m3-hook-$sig.d" "$WORK/norequire.json"
  expect_refused "M3-real-hook-sig$n" "hardrun-hook killed by SIG$sig as it opens images.json, through the shim" "$said_real"
  # The real hook died before its verdict: it printed no line of its own.
  if grep -q "hardrun-hook:" "$ERR"; then
    report not-ok "M3-real-hook-sig$n-silent" "the killed hook still reported: $(head -c 300 "$ERR")"
  else
    report ok "M3-real-hook-sig$n-silent" "the hook was killed before any verdict (no hardrun-hook line): the error is runc's alone"
  fi
  m3_names+=("m3-sig$n-plain" "m3-sig$n-shim" "m3-real-sig$n")
done
# Through `hardrun run` (its podman pointed at this store and the SIGKILL hook by containers.conf,
# as an admin would): refused, and the launcher removes the container that was left Created (R7).
(private_podman_conf) # writes PODMAN_DIR/{storage,containers}.conf; this shell's env is untouched
sed "s|^hooks_dir = .*|hooks_dir = [\"$WORK/m3-die-KILL.d\"]|" "$PODMAN_DIR/containers.conf" >"$WORK/m3-containers.conf"
rc=0
CONTAINERS_CONF=$WORK/m3-containers.conf CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf \
  "$HARDRUN_BIN" run --config "$WORK/norequire.json" --runtime runc --name m3-launcher "$IMAGE" sh -c "echo ran-\$((6*7))-launcher" \
  >"$WORK/m3-launcher.out" 2>"$WORK/m3-launcher.err" </dev/null || rc=$?
if [[ $rc != 0 ]] && ! grep -q "ran-42-launcher" "$WORK/m3-launcher.out" && grep -q "signal: killed" "$WORK/m3-launcher.err" &&
  grep -q "container m3-launcher did not start .*; removed it" "$WORK/m3-launcher.err" && ! pm container exists m3-launcher; then
  report ok M3-hook-sigkill-launcher "hardrun run with a hook that dies by SIGKILL: exit $rc, never ran, the Created container removed (R7)"
else
  report not-ok M3-hook-sigkill-launcher "exit $rc, container $(pm container exists m3-launcher && echo left || echo gone): $(head -c 400 "$WORK/m3-launcher.err")"
fi
m3_bad=()
for name in "${m3_names[@]}"; do
  state=$(pm inspect --format '{{.State.Status}} {{.State.StartedAt.IsZero}}' "$name" 2>/dev/null || echo "missing true")
  [[ $state == "created true" || $state == "missing true" ]] || m3_bad+=("$name: $state")
done
if ((${#m3_bad[@]} == 0)); then
  report ok M3-never-started "the ${#m3_names[@]} containers whose hook died are Created (or gone), never started"
else
  report not-ok M3-never-started "${m3_bad[*]}"
fi
pm rm --force "${m3_names[@]}" >/dev/null 2>&1 || true

# --- M4: podman or conmon killed while the hook runs --------------------------------------------
# security.md §4.10 M4: the hook finishes (or meets its deadline), nothing runs, no process of
# the start is left behind, and a later `podman start` is refused again (by the shim when the
# hooks dir no longer has the hook; by the hook itself when it does). The hooks.d entry is the
# real hardrun-hook behind a wrapper that marks its start, holds the state for a second (the
# window for the kill), then runs the hook on it and records its exit status.
cat >"$WORK/m4-hook" <<EOF
#!/bin/sh
# Marks the start, waits 1 s, runs hardrun-hook on the state, records its exit status.
: >"$WORK/m4-started"
sleep 1
"$HARDRUN_HOOK" "\$@"
rc=\$?
echo "\$rc" >"$WORK/m4-hook-rc"
exit "\$rc"
EOF
chmod 0755 "$WORK/m4-hook"
m3_hooks_dir "$WORK/m4-hooks.d" "$WORK/m4-hook" "$(jq -cn --arg c "$CFG_REQUIRE" '["hardrun-hook", "--config", $c]')"
wait_for() { # seconds command... -> whether the command succeeded within the time
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < end)) || return 1
    sleep 0.1
  done
}
start_gone() { # name: no process of this start (conmon names it, the hook wrapper) is left
  ! pgrep -f -- "-n $1 " >/dev/null && ! pgrep -f -- "$WORK/m4-hook " >/dev/null
}
for victim in podman conmon; do
  name=m4-$victim
  rm -f "$WORK/m4-started" "$WORK/m4-hook-rc"
  flags_with_hooks_dir "$WORK/m4-hooks.d"
  podman "${HFLAGS[@]}" --runtime "$HARDRUN_RUNTIME" --runtime-flag "hardrun-config=$WORK/norequire.json" \
    --runtime-flag hardrun-runtime=/usr/sbin/runc run --name "$name" "${RUNOPTS[@]}" "$IMAGE" sh -c "echo ran-\$((6*7))-$name" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  podman_pid=$!
  problems=()
  if wait_for 20 test -e "$WORK/m4-started"; then
    if [[ $victim == podman ]]; then
      kill -KILL "$podman_pid"
    else
      conmon_pid=$(pgrep -f -- "conmon .*-n $name " | head -n 1)
      [[ -n $conmon_pid ]] && kill -KILL "$conmon_pid" || problems+=("no conmon found")
    fi
  else
    problems+=("the hook never started")
  fi
  wait "$podman_pid" 2>/dev/null || true
  wait_for 15 test -e "$WORK/m4-hook-rc" || problems+=("the hook never finished")
  hook_rc=$(cat "$WORK/m4-hook-rc" 2>/dev/null || echo none)
  [[ $hook_rc == 1 ]] || problems+=("hook exit $hook_rc, want 1 (deny)")
  ! grep -q "^ran-42-$name\$" "$WORK/$name.out" || problems+=("the container ran")
  wait_for 15 start_gone "$name" || problems+=("left behind: $(pgrep -af -- "-n $name |$WORK/m4-hook " | head -c 200)")
  state=$(pm inspect --format '{{.State.Status}} {{.State.StartedAt.IsZero}}' "$name" 2>/dev/null || echo "missing true")
  [[ $state == *" true" ]] || problems+=("state $state")
  if ((${#problems[@]} == 0)); then
    report ok "M4-$victim-killed" "$victim SIGKILLed while the hook ran: the hook still decided (exit 1), nothing ran, no process left, container ${state% *}"
  else
    report not-ok "M4-$victim-killed" "${problems[*]}: $(head -c 300 "$WORK/$name.err")"
  fi
  # A later start: without the hook in the hooks dir the shim refuses; with it the hook denies.
  ctr "$name" "$EMPTY_HOOKS" "$CFG_REQUIRE" start
  expect_refused "M4-$victim-restart-no-hook" "podman start (state was $state) with an empty hooks dir" "hardrun hook not present"
  rm -f "$WORK/m4-hook-rc"
  ctr "$name" "$WORK/m4-hooks.d" "$WORK/norequire.json" start
  expect_refused "M4-$victim-restart-hook" "podman start with the hook in the hooks dir: the hook runs again" "hardrun-hook: deny:"
  pm rm --force "$name" >/dev/null 2>&1 || true
done

# --- H6: no descriptor leaks through the shim ------------------------------------------------------
# The runtime the shim execs must get exactly the descriptors the shim was given (security.md
# §4.11 H6, after runc's own fd-leak check): none of the shim's own files (config.json, the
# profile, its record, a journal socket) may reach runc and from there the container, and none
# the caller passed (conmon's sync pipes, podman's --preserve-fds) may go missing. A runtime
# stand-in records its descriptors, each as "fd -> target" with pipe/socket inode numbers
# dropped (`ls -l` in a child of the script: the child inherits them; its own directory
# descriptor, the one on /proc/<pid>/fd, is left out).
cat >"$WORK/fd-record" <<'EOF'
#!/bin/sh
# Runtime stand-in: saves the descriptors of a "create" call as <its dir>/fds/<name>-<pid>, one
# "fd -> target" line each; called as fd-record-runc it then runs runc with the same arguments.
# 0-2 are read from the shell itself before it redirects anything; 3 and up from a child `ls`
# (dash's own script descriptor is close-on-exec, so the child has exactly the inherited ones,
# plus its own directory descriptor on /proc/<pid>/fd, left out).
case " $* " in *" create "*)
  d0=$(readlink /proc/$$/fd/0) d1=$(readlink /proc/$$/fd/1) d2=$(readlink /proc/$$/fd/2)
  rest=$(ls -l /proc/self/fd)
  printf '0 -> %s\n1 -> %s\n2 -> %s\n%s\n' "$d0" "$d1" "$d2" "$rest" |
    awk '$2 == "->" || ($(NF - 1) == "->" && $(NF - 2) + 0 >= 3 && $NF !~ "^/proc/[0-9]+/fd$") {
      t = $NF; sub(/:\[[0-9]+\]$/, "", t); print $(NF - 2), "->", t }' |
    sort -n >"$(dirname "$0")/fds/$(basename "$0")-$$" ;;
esac
case $0 in *-runc) exec /usr/sbin/runc "$@" ;; esac
exit 0
EOF
chmod 0755 "$WORK/fd-record"
ln -s fd-record "$WORK/fd-record-runc"
mkdir -p "$WORK/fds"
fd_set() { # file -> the recorded set on one line
  tr '\n' ' ' <"$1" | sed 's/ $//'
}
# Directly: fd 7 open on a file and fd 9 on a pipe, as podman's --preserve-fds would leave them.
new_bundle "$WORK/h6-bundle" "$SMALL"
rm -f "$WORK"/fds/*
"$WORK/fd-record" create --bundle "$WORK/h6-bundle" "$RUN_TAG-h6" 7<"$SMALL" 9< <(:) >/dev/null 2>"$WORK/h6.err"
records=("$WORK"/fds/fd-record-*)
without=$(fd_set "${records[0]}")
rm -f "$WORK"/fds/*
rc=0
"$HARDRUN_RUNTIME" "--hardrun-config=$CFG" "--hardrun-runtime=$WORK/fd-record" create --bundle "$WORK/h6-bundle" "$RUN_TAG-h6" \
  7<"$SMALL" 9< <(:) >/dev/null 2>"$WORK/h6.err" || rc=$?
with=$(cat "$WORK"/fds/fd-record-* 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
if [[ $rc == 0 && -n $without && $with == "$without" && $without == *"7 -> $SMALL"* && $without == *"9 -> pipe"* &&
  $(config_state "$WORK/h6-bundle" "$SMALL_SHA") == HARDENED ]]; then
  report ok H6-direct "after a complete rewrite the runtime gets exactly the descriptors the shim was given: $with"
else
  report not-ok H6-direct "exit $rc; without the shim: [$without]; through it: [$with]: $(head -c 200 "$WORK/h6.err")"
fi
# Under podman: conmon calls the runtime with its own pipes; runc gets the same set with the shim
# in between as without it.
rm -f "$WORK"/fds/*
flags_with_hooks_dir "$EMPTY_HOOKS"
podman "${HFLAGS[@]}" --runtime "$WORK/fd-record-runc" run --rm --name h6-plain "${RUNOPTS[@]}" "$IMAGE" true \
  >/dev/null 2>"$WORK/h6-plain.err" </dev/null || true
mapfile -t plain_rec < <(ls "$WORK"/fds/)
without=$( ((${#plain_rec[@]} == 1)) && fd_set "$WORK/fds/${plain_rec[0]}")
rm -f "$WORK"/fds/*
rc=0
podman "${HFLAGS[@]}" --runtime "$HARDRUN_RUNTIME" --runtime-flag "hardrun-config=$WORK/norequire.json" \
  --runtime-flag "hardrun-runtime=$WORK/fd-record-runc" run --rm --name h6-shim "${RUNOPTS[@]}" "$IMAGE" true \
  >/dev/null 2>"$WORK/h6-shim.err" </dev/null || rc=$?
mapfile -t shim_rec < <(ls "$WORK"/fds/)
with=$( ((${#shim_rec[@]} == 1)) && fd_set "$WORK/fds/${shim_rec[0]}")
if [[ $rc == 0 && -n $without && $with == "$without" ]]; then
  report ok H6-podman "conmon -> shim -> runc create gets the same descriptors as conmon -> runc create: $with"
else
  report not-ok H6-podman "podman rc $rc; without the shim (${#plain_rec[@]} record(s)): [$without]; through it (${#shim_rec[@]}): [$with]: $(head -c 200 "$WORK/h6-shim.err")"
fi
pm rm --force h6-plain h6-shim >/dev/null 2>&1 || true

tap_finish
