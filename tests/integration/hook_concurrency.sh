#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# hardrun-hook under concurrency (security.md §4.8 K2, K3 and §4.3 P8), on the real hook binary
# and copies of the captured containers-storage fixture (tests/data/image, podman 4.3.1), the
# layer exercised being the hook itself: runc starts one hook process per container and hands
# it the state on stdin, which is what this tier does, 50 at a time, without podman and runc
# around it (their cost would make 50 parallel starts minutes on a 2-core machine; the
# admission tier runs the same hook under real podman one start at a time).
#
#   K2   25 signed and 25 unsigned containers of the same image digest, interleaved, decided in
#        parallel: exactly the 25 unsigned are denied (rule signed), the 25 signed allowed;
#        no verdict crosses between them (the hook keeps no cache between processes; a cache
#        keyed by digest alone would fail this).
#   P8/K3 the trust policy replaced by rename(2), as fast as a loop can, between a policy that
#        admits the image (signedBy its GPG key) and one that rejects everything, while 50
#        hooks decide in parallel (3 rounds): every decision is exactly the allow of the
#        first or the deny of the second (one stderr line each); no error, no torn read, no
#        third answer. Both answers must occur, or the swap never overlapped the runs.
#
# Needs root (the hook wants root-owned bundles) and jq; exit 77 (skip) otherwise unless
# HARDRUN_TEST_MUST_WORK=1. Environment: HARDRUN_HOOK, HARDRUN_BIN, HARDRUN_SOURCE_DIR;
# HARDRUN_CONCURRENCY_ROUNDS (P8 rounds of 50, default 3).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
HARDRUN_HOOK=${HARDRUN_HOOK:-$(dirname "$HARDRUN_BIN")/../hook/hardrun-hook}
ROUNDS=${HARDRUN_CONCURRENCY_ROUNDS:-3}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
NAME=hook_concurrency
PARALLEL=50

# shellcheck source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"
skip() { skip_tier "$NAME" "$1"; }
[[ $(id -u) == 0 ]] || skip "needs root (the hook admits only root-owned bundles)"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
for b in "$HARDRUN_BIN" "$HARDRUN_HOOK"; do
  [[ -x $b ]] || { echo "$NAME: FAIL: $b is not built" >&2; exit 1; }
done
# shellcheck disable=SC1091
. "$HARDRUN_SOURCE_DIR/tests/data/image/fixture.env"

umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-hook-concurrency.XXXXXXXXXX")
SWAPPER=
cleanup() {
  set +e
  [[ -n $SWAPPER ]] && kill "$SWAPPER" 2>/dev/null && wait "$SWAPPER" 2>/dev/null
  rm -rf --one-file-system -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- fixtures ------------------------------------------------------------------------------------
# SIGNED: the captured store, the GPG-signed container's bundle holding a config.json hardened by
# hardrun (the hook re-checks it). UNSIGNED: the same store and container, the image's stored
# signature removed, as podman records an image pulled without signatures.
SIGNED=$T/signed
cp -r "$HARDRUN_SOURCE_DIR/tests/data/image/storage" "$SIGNED"
find "$SIGNED" -type d -exec chmod 700 {} +
find "$SIGNED" -type f -exec chmod 600 {} +
BUNDLE_REL=overlay-containers/$CTR_GPG_DIGEST/userdata
mkdir -p "$SIGNED/$BUNDLE_REL"
chmod 700 "$SIGNED/$BUNDLE_REL"
jq -c '.mounts |= map(select((.source | test("^/tmp/tmp\\.")) | not))' \
  "$HARDRUN_SOURCE_DIR/tests/golden/network-none.in.json" >"$T/captured.json"
"$HARDRUN_BIN" harden --policy "$PROFILE" --in "$T/captured.json" --out "$SIGNED/$BUNDLE_REL/config.json" >/dev/null
chmod 600 "$SIGNED/$BUNDLE_REL/config.json"
UNSIGNED=$T/unsigned
cp -a "$SIGNED" "$UNSIGNED"
HEX=${GPG_DIGEST#sha256:}
jq -c --arg img "$GPG_IMAGE" --arg d "$GPG_DIGEST" --arg key "signature-$HEX" '
  map(if .id == $img then
        .metadata = (.metadata | fromjson | .["signatures-sizes"][$d] = [] | .["signature-sizes"] = [] | tojson)
        | .["big-data-names"] -= [$key, "signatures"]
        | del(.["big-data-sizes"][$key], .["big-data-sizes"].signatures,
              .["big-data-digests"][$key], .["big-data-digests"].signatures)
      else . end)' "$SIGNED/overlay-images/images.json" >"$UNSIGNED/overlay-images/images.json"
find "$UNSIGNED/overlay-images/$GPG_IMAGE" -maxdepth 1 -type f -name '=*' | while read -r f; do
  name=$(basename "$f")
  decoded=$(printf '%s' "${name#=}" | base64 -d 2>/dev/null || true)
  if [[ $decoded == "signature-$HEX" || $decoded == signatures ]]; then rm -f -- "$f"; fi
done

# Lookaside signatures: an empty store of our own (never the host's /var/lib/containers/sigstore).
mkdir -p "$T/registries.d" "$T/lookaside"
printf 'default-docker:\n  lookaside: file://%s/lookaside\n' "$T" >"$T/registries.d/default.yaml"
REPO=${REGISTRY}/hr/busybox
jq -n --arg repo "$REPO" --arg key "$HARDRUN_SOURCE_DIR/tests/data/image/keys/gpg-pubkey.gpg" \
  '{default: [{type: "reject"}], transports: {docker: {($repo): [{type: "signedBy", keyType: "GPGKeys", keyPath: $key}]}}}' \
  >"$T/policy-admit.json"
echo '{"default":[{"type":"reject"}]}' >"$T/policy-reject.json"
POLICY=$T/policy.json
cp "$T/policy-admit.json" "$POLICY"
jq -n --arg pol "$POLICY" --arg regd "$T/registries.d" --arg prof "$PROFILE" \
  '{hardrunConfig: 1, mode: "enforce", signaturePolicy: $pol, registriesDir: $regd, profile: $prof,
    hookDeadlineMs: 20000, hookTimeoutSeconds: 30}' >"$T/hardrun.json"
chmod 600 "$T/hardrun.json"
state_of() { # store
  printf '{"ociVersion":"1.0.2-dev","id":"%s","status":"creating","pid":1,"bundle":"%s/%s"}' \
    "$CTR_GPG_DIGEST" "$1" "$BUNDLE_REL"
}
state_of "$SIGNED" >"$T/state-signed.json"
state_of "$UNSIGNED" >"$T/state-unsigned.json"

ALLOW_LINE="hardrun-hook: allow: signed: $REPO@$GPG_DIGEST: simple-signing signature by $GPG_FPR"
# One hook run: its exit status, then its stderr, in DIR/N.
hook_run() { # dir n state-file
  local rc=0
  "$HARDRUN_HOOK" --config "$T/hardrun.json" <"$3" >/dev/null 2>"$1/$2.err" || rc=$?
  echo "$rc" >"$1/$2.rc"
}
# ANSWER := the answer of run N in DIR: "allow", "deny-<rule>" (exit 1, one line "hardrun-hook:
# deny: <rule>: ...") or "other: <exit> <stderr>". Builtins only: it runs hundreds of times.
answer() { # dir n
  local rc lines=()
  read -r rc <"$1/$2.rc"
  mapfile -t lines <"$1/$2.err"
  if [[ $rc == 0 && ${#lines[@]} == 1 && ${lines[0]} == "$ALLOW_LINE" ]]; then
    ANSWER=allow
  elif [[ $rc == 1 && ${#lines[@]} == 1 && ${lines[0]} =~ ^hardrun-hook:\ deny:\ ([a-z-]+):\  ]]; then
    ANSWER=deny-${BASH_REMATCH[1]}
  else
    ANSWER="other: exit $rc, ${#lines[@]} line(s): ${lines[*]:0:2}"
  fi
}

# Controls, one at a time: the signed container is allowed, the unsigned one denied, and the
# reject policy denies the signed one.
mkdir -p "$T/control"
hook_run "$T/control" signed "$T/state-signed.json"
hook_run "$T/control" unsigned "$T/state-unsigned.json"
cp "$T/policy-reject.json" "$POLICY"
hook_run "$T/control" rejected "$T/state-signed.json"
cp "$T/policy-admit.json" "$POLICY"
answer "$T/control" signed
c1=$ANSWER
answer "$T/control" unsigned
c2=$ANSWER
answer "$T/control" rejected
c3=$ANSWER
if [[ $c1 == allow && $c2 == deny-signed && $c3 == deny-policy-reject ]]; then
  report ok controls "alone: signed allowed, unsigned denied (signed), the reject policy denies the signed one (policy-reject)"
else
  report not-ok controls "signed: $c1; unsigned: $c2; under the reject policy: $c3"
  diag "$T/control/unsigned.err"
  tap_finish
  exit 1
fi

# --- K2: 25 signed and 25 unsigned, interleaved, in parallel --------------------------------------
mkdir -p "$T/k2"
t0=$(date +%s%N)
for ((i = 0; i < PARALLEL; i++)); do
  if ((i % 2 == 0)); then s=signed; else s=unsigned; fi
  hook_run "$T/k2" "$i" "$T/state-$s.json" &
done
wait
ms=$((($(date +%s%N) - t0) / 1000000))
allowed=0 denied=0 wrong=()
for ((i = 0; i < PARALLEL; i++)); do
  answer "$T/k2" "$i"
  a=$ANSWER
  if ((i % 2 == 0)); then want=allow; else want=deny-signed; fi
  if [[ $a == "$want" ]]; then
    [[ $a == allow ]] && allowed=$((allowed + 1)) || denied=$((denied + 1))
  else
    wrong+=("#$i want $want, got $a")
  fi
done
if ((${#wrong[@]} == 0 && allowed == PARALLEL / 2 && denied == PARALLEL / 2)); then
  report ok K2-exactly-unsigned-denied "$PARALLEL parallel hooks in $ms ms: the $allowed signed allowed, exactly the $denied unsigned denied (rule signed)"
else
  report not-ok K2-exactly-unsigned-denied "$allowed allowed, $denied denied as expected; ${wrong[*]:0:3}"
fi

# --- P8/K3: the trust policy swapped by rename(2) during parallel decisions -----------------------
# The swapper writes a fresh copy of one policy or the other next to POLICY and renames it over
# POLICY, about a thousand times a second; one perl process (perl-base is Essential in Debian),
# so that the swaps cost no fork and do not starve the hooks of the machine's cores.
perl -MTime::HiRes=usleep -e '
  my ($dst, @src) = @ARGV;
  my @text = map { local $/; open(my $f, "<", $_) or die "$_: $!"; scalar <$f> } @src;
  $SIG{TERM} = sub { exit 0 };
  for (my $n = 0;; $n++) {
    open(my $o, ">", "$dst.new") or die "$dst.new: $!";
    print $o $text[$n % 2];
    close($o) or die "$dst.new: $!";
    rename("$dst.new", $dst) or die "rename: $!";
    usleep(1000);
  }' "$POLICY" "$T/policy-reject.json" "$T/policy-admit.json" &
SWAPPER=$!
allowed=0 rejected=0 other=()
t0=$(date +%s%N)
for ((r = 0; r < ROUNDS; r++)); do
  d=$T/p8-$r
  mkdir -p "$d"
  pids=()
  for ((i = 0; i < PARALLEL; i++)); do
    hook_run "$d" "$i" "$T/state-signed.json" &
    pids+=($!)
  done
  # The hooks only: the swapper keeps running.
  wait "${pids[@]}"
  for ((i = 0; i < PARALLEL; i++)); do
    answer "$d" "$i"
    case $ANSWER in
      allow) allowed=$((allowed + 1)) ;;
      deny-policy-reject) rejected=$((rejected + 1)) ;;
      *) other+=("round $r #$i: $ANSWER") ;;
    esac
  done
done
ms=$((($(date +%s%N) - t0) / 1000000))
kill "$SWAPPER" 2>/dev/null || true
wait "$SWAPPER" 2>/dev/null || true
SWAPPER=
total=$((ROUNDS * PARALLEL))
if ((${#other[@]} == 0)); then
  report ok P8-one-policy-per-decision "$total decisions ($ROUNDS x $PARALLEL parallel, $ms ms) while the policy was renamed over: $allowed allowed by the admitting policy, $rejected denied by the rejecting one, no other answer"
else
  report not-ok P8-one-policy-per-decision "${#other[@]} of $total decisions were neither: ${other[*]:0:3}"
fi
if ((allowed > 0 && rejected > 0)); then
  report ok K3-swap-overlapped "both policies were in force during the runs ($allowed / $rejected): the swap overlapped the decisions"
else
  report not-ok K3-swap-overlapped "only one policy was seen ($allowed allowed, $rejected rejected): the swap did not overlap the runs"
fi

tap_finish
