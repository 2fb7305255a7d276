#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hardrun-hook against the state catalogue S1-S13 (security.md §4.1) and its argv/config
# contract: crafted stdin, temporary bundles and a copy of the captured containers-storage
# fixture. No podman, no root needed. Exit 77 = skipped (HARDRUN_TEST_MUST_WORK=1: failure).
set -uo pipefail

skip() {
  echo "SKIP: $*"
  [ "${HARDRUN_TEST_MUST_WORK:-0}" = 1 ] && exit 1
  exit 77
}
HOOK="${HARDRUN_HOOK:-}"
SRC="${HARDRUN_SOURCE_DIR:-}"
[ -x "$HOOK" ] || skip "HARDRUN_HOOK not set to the built hardrun-hook"
[ -d "$SRC/tests/data/image/storage" ] || skip "HARDRUN_SOURCE_DIR not set"
# shellcheck disable=SC1091
. "$SRC/tests/data/image/fixture.env"

T=$(mktemp -d /tmp/hardrun-hook-state.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0 N=0

# --- a private copy of the storage fixture, modes as c/storage writes them ---
cp -r "$SRC/tests/data/image/storage" "$T/storage"
find "$T/storage" -type d -exec chmod 700 {} + ; find "$T/storage" -type f -exec chmod 600 {} +
for c in "$CTR_GPG_DIGEST" "$CTR_SIGSTORE_DIGEST" "$CTR_BY_TAG" "$CTR_LOCAL"; do
  mkdir -p "$T/storage/overlay-containers/$c/userdata"; chmod 700 "$T/storage/overlay-containers/$c/userdata"
done
mkdir -p "$T/registries.d" "$T/bundle"; chmod 700 "$T/bundle"
echo '{"default":[{"type":"reject"}]}' > "$T/policy.json"
write_config() { # mode [extra json]
  cat > "$T/hardrun.json" <<JSON
{"hardrunConfig":1,"mode":"$1","signaturePolicy":"$T/policy.json","registriesDir":"$T/registries.d",
 "profile":"$SRC/tests/data/profiles/test.json","hookDeadlineMs":1500,"hookTimeoutSeconds":7${2:-}}
JSON
  chmod 600 "$T/hardrun.json"
}
write_config enforce

# run NAME EXPECTED_RC PATTERN [hook args...] < stdin
run() {
  local name=$1 want=$2 pattern=$3; shift 3
  N=$((N + 1))
  local err rc
  err=$("$HOOK" --config "$T/hardrun.json" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" <<<"$err"; then
    echo "not ok $N - $name: rc=$rc (want $want), stderr: $err"; FAILS=$((FAILS + 1))
  elif [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
    echo "not ok $N - $name: more than one stderr line: $err"; FAILS=$((FAILS + 1))
  else
    echo "ok $N - $name"
  fi
}
state() { # id bundle [version] [extra]
  printf '{"ociVersion":"%s","id":"%s","status":"creating","bundle":"%s"%s}' "${3:-1.0.2-dev}" "$1" "$2" "${4:-}"
}
bundle_of() { echo "$T/storage/overlay-containers/$1/userdata"; }

run "S1 empty stdin" 3 'deny: state: empty state' </dev/null
run "S2 truncated" 3 'deny: state: .*byte 2[0-9]' <<<'{"ociVersion":"1.0","id":"ab'
run "S3 array" 3 'must be a JSON object' <<<'[]'
run "S3 number" 3 'must be a JSON object' <<<'42'
run "S3 null" 3 'must be a JSON object' <<<'null'
start=$(date +%s%N)
run "S4 2 MiB of annotations" 3 'exceeds 1048576 bytes' < <(printf '{"ociVersion":"1.0","id":"c","annotations":{"a":"'; head -c 2097152 /dev/zero | tr '\0' a; printf '"}}')
ms=$(( ($(date +%s%N) - start) / 1000000 ))
N=$((N + 1)); if [ "$ms" -lt 1000 ]; then echo "ok $N - S4 finished in ${ms} ms"; else echo "not ok $N - S4 took ${ms} ms"; FAILS=$((FAILS + 1)); fi
mkfifo "$T/fifo"
# The config (and its hookDeadlineMs) is read after stdin, so a stalled writer meets the
# built-in 10 s deadline armed before the first read (R1).
( exec 2>/dev/null; printf '{"ociVersion":'; sleep 13 ) > "$T/fifo" &
WRITER=$!
start=$(date +%s%N)
run "S5 stdin never closed" 5 'deny: timeout: no decision within 10000 ms' < "$T/fifo"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$WRITER" 2>/dev/null; wait "$WRITER" 2>/dev/null
N=$((N + 1)); if [ "$ms" -ge 9900 ] && [ "$ms" -lt 11500 ]; then echo "ok $N - S5 denied at the deadline (${ms} ms)"; else echo "not ok $N - S5 took ${ms} ms"; FAILS=$((FAILS + 1)); fi
run "S6 duplicate bundle" 3 'duplicate key "bundle"' < <(state c "$T/bundle" 1.0 ',"bundle":"/evil"')
run "S7 id with /" 3 'invalid container id' < <(state 'a/b' "$T/bundle")
run "S7 id .." 3 'invalid container id' < <(state '..' "$T/bundle")
run "S7 id with NUL" 3 'NUL|invalid container id' < <(state 'a\u0000b' "$T/bundle")
run "S7 id over 1024" 3 'invalid container id' < <(state "$(head -c 1025 /dev/zero | tr '\0' a)" "$T/bundle")
run "S8 relative bundle" 3 'not a clean absolute path' < <(state c "relative/userdata")
ln -s "$T/bundle" "$T/link"
run "S8 symlinked bundle" 3 'deny: bundle: .*symbolic link' < <(state c "$T/link")
mkdir -p "$T/ww"; chmod 777 "$T/ww"
run "S8 world-writable bundle" 3 'deny: bundle: .*writable by group or others' < <(state c "$T/ww")
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$T/nobody"; chmod 700 "$T/nobody"; chown 65534:65534 "$T/nobody"
  run "S8 bundle not root-owned" 3 'deny: bundle: .*owned by uid 65534' < <(state c "$T/nobody")
fi
# S9: both runtimes' states get past state parsing (the decision then goes on to storage).
run "S9 runc state" 1 'deny: (pinned|signed|policy|trust|not-pinned)' < <(state "$CTR_LOCAL" "$(bundle_of "$CTR_LOCAL")" 1.0.2-dev ',"pid":1')
run "S9 crun state" 1 'deny: (pinned|signed|policy|trust|not-pinned)' < <(state "$CTR_LOCAL" "$(bundle_of "$CTR_LOCAL")" 1.0 ',"root":"/run/crun/x","pid":4242')
run "S10 ociVersion 2.0" 3 'unsupported ociVersion' < <(state c "$T/bundle" 2.0)
run "S10 ociVersion missing" 3 'unsupported ociVersion' <<<"{\"id\":\"c\",\"status\":\"creating\",\"bundle\":\"$T/bundle\"}"
run "S11 deep nesting" 3 'nesting deeper than' < <(head -c 100000 /dev/zero | tr '\0' '[')
run "S12 invalid UTF-8" 3 'deny: state: .*(UTF-8|utf-8|invalid)' < <(state c "$T/bundle" 1.0 "$(printf ',"annotations":{"a":"\xc0\xaf"}')")
run "S13 annotations claiming verification" 1 'deny: ' < <(state "$CTR_LOCAL" "$(bundle_of "$CTR_LOCAL")" 1.0.2-dev ',"annotations":{"hardrun.verified":"true","io.kubernetes.cri-o.ImageRef":"'"$GPG_IMAGE"'","io.kubernetes.cri-o.ImageName":"x@'"$GPG_DIGEST"'"}')
# The bundle path must be the state's container (another container's bundle is refused).
run "bundle of another container" 3 'deny: identity: .*not the state' < <(state "$CTR_BY_TAG" "$(bundle_of "$CTR_LOCAL")")
mkdir -p "$T/storage/overlay-containers/$(printf '%064d' 7)/userdata"
run "container unknown to storage" 3 'deny: identity: .*not found' < <(state "$(printf '%064d' 7)" "$T/storage/overlay-containers/$(printf '%064d' 7)/userdata")

# --- argv and configuration ---
run "unknown argument" 2 'deny: usage: unknown argument' --verbose < <(state c "$T/bundle")
N=$((N + 1))
err=$("$HOOK" --config hardrun.json < <(state c "$T/bundle") 2>&1); rc=$?
if [ "$rc" = 2 ] && grep -q 'not a clean absolute path' <<<"$err"; then echo "ok $N - relative --config"; else echo "not ok $N - relative --config: rc=$rc $err"; FAILS=$((FAILS + 1)); fi
run "createContainer stage" 2 'must be prestart or createRuntime' --stage createContainer < <(state c "$T/bundle")
run "missing trust policy" 3 'deny: trust-policy: .*/nope.json' --signature-policy "$T/nope.json" < <(state "$CTR_LOCAL" "$(bundle_of "$CTR_LOCAL")")
echo '{"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]}' > "$T/dup-policy.json"
run "duplicate key in trust policy" 3 'deny: trust-policy: .*duplicate' --signature-policy "$T/dup-policy.json" < <(state "$CTR_LOCAL" "$(bundle_of "$CTR_LOCAL")")
write_config warn
run "warn mode reports and allows" 0 'deny: .*\(warn mode: container allowed\)' < <(state "$CTR_LOCAL" "$(bundle_of "$CTR_LOCAL")")
# An exception (by digest, pinned only) skips the signature check but not the hardening re-check.
write_config enforce ",\"exceptions\":[{\"digest\":\"$GPG_DIGEST\",\"reason\":\"test exception\"}]"
run "exception still needs a hardened config" 3 'deny: not-hardened: .*config.json' < <(state "$CTR_GPG_DIGEST" "$(bundle_of "$CTR_GPG_DIGEST")")
write_config enforce
echo '{"hardrunConfig":1,"mode":"enforce","bogus":1}' > "$T/bad.json"; chmod 600 "$T/bad.json"
N=$((N + 1))
err=$("$HOOK" --config "$T/bad.json" < <(state c "$T/bundle") 2>&1); rc=$?
if [ "$rc" = 3 ] && grep -q 'deny: config: ' <<<"$err"; then echo "ok $N - malformed hardrun.json denies"; else echo "not ok $N - malformed hardrun.json: rc=$rc $err"; FAILS=$((FAILS + 1)); fi

# M4: runc, the reader of the hook's stderr, gone before the report (killed with conmon): the
# hook must not die of SIGPIPE before its journal entry; its exit status is still the verdict.
# A FIFO whose only reader opened and closed it: the report's write meets a pipe with no reader.
mkfifo "$T/no-reader"
( exec 3<"$T/no-reader" ) &
exec 9>"$T/no-reader"
wait $!
"$HOOK" --config "$T/hardrun.json" </dev/null 2>&9; rc=$?
exec 9>&-
N=$((N + 1))
if [ "$rc" = 3 ]; then echo "ok $N - M4 stderr reader gone: exit 3 (the verdict), no SIGPIPE death"; else echo "not ok $N - M4 stderr reader gone: exit $rc, want 3"; FAILS=$((FAILS + 1)); fi

echo "1..$N"
[ "$FAILS" = 0 ] || { echo "$FAILS of $N failed"; exit 1; }
