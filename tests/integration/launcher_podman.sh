#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The launcher on real podman 4.3.1 + runc: `hardrun run` and the runtime shim
# (hardrun-runtime), the precreate hook and secrets. Every check looks from inside the container
# (/proc/self/status, uid_map, writes) or at podman's own state; refusals are checked for their
# exit status, their message, that config.json stayed byte-identical (a wrapper runtime hashes it
# before and after the shim), and that no container is left behind.
#
# Private podman: storage, run root, hooks, networks through CONTAINERS_STORAGE_CONF and
# CONTAINERS_CONF (the way an admin points podman elsewhere), so `hardrun run` is run exactly as
# a user types it. Secrets live on a tmpfs this test mounts.
#
# Needs root, podman, runc, busybox-static, jq; exit 77 (skip) otherwise unless
# HARDRUN_TEST_MUST_WORK=1. Environment: HARDRUN_BIN, HARDRUN_RUNTIME, HARDRUN_SOURCE_DIR.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
HARDRUN_RUNTIME=${HARDRUN_RUNTIME:-$(dirname "$HARDRUN_BIN")/hardrun-runtime}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
# shellcheck source=lib/bundle.sh
source "$SCRIPT_DIR/lib/bundle.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"

NAME=launcher_podman
skip() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "$NAME: FAIL: cannot run: $1 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "$NAME: SKIP: $1"
  exit 77
}
[[ $(id -u) == 0 ]] || skip "needs root (rootful podman)"
for tool in podman runc jq sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || skip "busybox-static is not installed"
[[ -x $HARDRUN_BIN && -x $HARDRUN_RUNTIME ]] || { echo "$NAME: FAIL: hardrun binaries missing" >&2; exit 1; }

FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok - $1"; }
fail() { FAILS=$((FAILS + 1)); echo "not ok - $1${2:+: $2}"; }
check() { # description command...
  local d=$1
  shift
  if "$@"; then pass "$d"; else fail "$d"; fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-launcher.XXXXXXXXXX")
chmod 0711 "$WORK"
private_podman_init "$WORK"
SECRETS=$WORK/secrets
mkdir -m 0711 "$SECRETS"
mount -t tmpfs -o mode=0711,nosuid,nodev,noexec,size=8m tmpfs "$SECRETS"
# The run root holds podman's per-container run state; on a real host it is tmpfs (/run).
mkdir -p "$WORK/runroot"
mount -t tmpfs -o mode=0700 tmpfs "$WORK/runroot"
CREATED_IDS=()

cleanup() {
  local id
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  pm rmi --all --force >/dev/null 2>&1 || true
  for id in $(cat "$WORK/ids" 2>/dev/null); do rm -f "/run/hardrun/containers/$id.json"; done
  umount "$SECRETS" 2>/dev/null || true
  private_podman_teardown || true
}
trap cleanup EXIT

private_podman_conf

# hardrun's configuration for the tests: the test profile (explicit id range 100000+65536), runc,
# secrets on our tmpfs; the admission hook is the hook tier's subject (a stub stands in below).
write_config() { # file extra-json
  jq -n --arg p "$PROFILE" --arg s "$SECRETS" --argjson extra "${2:-{\}}" \
    '{hardrunConfig: 1, profile: $p, runtime: "/usr/bin/runc", injectHook: false, requireHook: false, secretsDir: $s} + $extra' >"$1"
  chmod 0644 "$1"
}
CFG=$WORK/hardrun.json
write_config "$CFG"

# The image: busybox-static with the probe, imported, pinned by its local digest.
make_template "$WORK/rootfs" "$BUSYBOX"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
pm import -q -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/hardrun-test:1 >/dev/null
DIGEST=$(pm image inspect --format '{{.Digest}}' localhost/hardrun-test:1)
IMAGE=localhost/hardrun-test@$DIGEST
[[ $DIGEST == sha256:* ]] || { echo "$NAME: FAIL: no digest for the test image" >&2; exit 1; }

CANARY="hardrun-canary-$(random_hex 16)"
umask 077
printf '%s\n' "$CANARY" >"$WORK/key.pem"
umask 022

record_id() { pm inspect --format '{{.Id}}' "$1" >>"$WORK/ids" 2>/dev/null || true; }

# --- 1. hardened run with a secret, seen from inside ------------------------------------------
probe_cmd='sh /hardrun-probe; echo "secret=$(sha256sum /run/secrets/key.pem | cut -d" " -f1)"; echo "secret_stat=$(stat -c "%a %u:%g" /run/secrets/key.pem)";
  grep " /run/secrets/key.pem " /proc/self/mountinfo | sed "s/^/secret_mount=/";
  if echo x 2>/dev/null >/run/secrets/key.pem; then echo secret_write=ok; else echo secret_write=denied; fi'
out=$WORK/probe.out
if "$HARDRUN_BIN" run --config "$CFG" --runtime runc --name hardened --secret "$WORK/key.pem" "$IMAGE" sh -c "$probe_cmd" >"$out" 2>"$WORK/run.err"; then
  pass "hardrun run --secret starts the container"
else
  fail "hardrun run --secret starts the container" "$(cat "$WORK/run.err")"
fi
record_id hardened
pm inspect hardened --format '{{json .}}' >"$WORK/inspect.json" 2>/dev/null || true
jq -n '{process: {user: {uid: 10001}}}' >"$WORK/want.json"
if problem=$(check_probe "$out" "$WORK/want.json" 100000); then pass "inside: caps 0, NoNewPrivs 1, seccomp 2, uid 10001, mapped userns, read-only root, writable /tmp"; else fail "inside view" "$problem"; fi
check "inside: gid is 10001" test "$(probe_value "$out" gid)" = 10001
check "inside: the secret's content is readable (same sha256)" test "$(probe_value "$out" secret)" = "$(sha256sum "$WORK/key.pem" | cut -d' ' -f1)"
check "inside: the secret is mode 0400 owned by 10001:10001" test "$(probe_value "$out" secret_stat)" = "400 10001:10001"
check "inside: the secret cannot be written" test "$(probe_value "$out" secret_write)" = denied
mnt=$(probe_value "$out" secret_mount)
check "inside: the secret mount is ro,nosuid,nodev,noexec on tmpfs" \
  bash -c '[[ $1 == *" ro,nosuid,nodev,noexec"* && $1 == *" - tmpfs "* ]]' _ "$mnt"
# The canary never appears in podman's records, the config, the logs or any file on disk.
check "the secret is not in podman inspect" bash -c '! grep -q "$1" "$2"' _ "$CANARY" "$WORK/inspect.json"
check "the secret is not in podman logs" bash -c '! podman logs hardened 2>&1 | grep -q "$1"' _ "$CANARY"
leaked=$(grep -rls --exclude-dir=overlay "$CANARY" "$WORK/storage" "$WORK/runroot" 2>/dev/null || true)
check "the secret is in no file below the storage or run root${leaked:+ (found in $leaked)}" test -z "$leaked"
check "the secret's source is the only file on disk with it" bash -c '[[ $(grep -rls "$1" "$2" --exclude-dir=secrets --exclude-dir=storage --exclude-dir=runroot | grep -v -e key.pem -e probe.out) == "" ]]' _ "$CANARY" "$WORK"
pm rm --force hardened >/dev/null 2>&1 || true
check "the secret is gone from the tmpfs once the container is gone" bash -c '[[ -z $(find "$1" -type f) ]]' _ "$SECRETS"

# --- 2. podman exec on a hardened, detached container ------------------------------------------
if "$HARDRUN_BIN" run --config "$CFG" --runtime runc -d --name svc "$IMAGE" sleep 600 >/dev/null 2>"$WORK/svc.err"; then
  pass "hardrun run -d starts a service"
else
  fail "hardrun run -d starts a service" "$(cat "$WORK/svc.err")"
fi
record_id svc
check "podman exec runs as the service user" test "$(pm exec svc id -u 2>/dev/null)" = 10001
check "podman exec has no capabilities" bash -c '[[ $(podman exec svc grep CapEff /proc/self/status) == *0000000000000000 ]]'
if pm exec --privileged svc true 2>"$WORK/exec.err"; then fail "podman exec --privileged is refused"; else
  check "podman exec --privileged is refused (exec-privileged)" grep -q "refused: exec-privileged" "$WORK/exec.err"
fi
if pm exec --user 0 svc true 2>"$WORK/exec.err"; then fail "podman exec --user 0 is refused"; else
  check "podman exec --user 0 is refused (exec-root)" grep -q "refused: exec-root" "$WORK/exec.err"
fi
pm rm --force --time 0 svc >/dev/null 2>&1 || true

# --- 3. refusals by hardrun run -----------------------------------------------------------------
rc=0
"$HARDRUN_BIN" run --config "$CFG" --runtime runc localhost/hardrun-test:1 true 2>"$WORK/err" || rc=$?
check "a tag reference is refused with exit 1" test "$rc" = 1
check "the refusal prints the command that shows the digest" grep -q "podman image inspect --format '{{.Digest}}' localhost/hardrun-test:1" "$WORK/err"
rc=0
"$HARDRUN_BIN" run --config "$CFG" --runtime runc -v /etc:/etc "$IMAGE" true 2>"$WORK/err" || rc=$?
check "-v /etc:/etc is refused with exit 1" test "$rc" = 1
check "-v /etc:/etc names the sensitive path" grep -q "no-sensitive-mounts: -v /etc:/etc" "$WORK/err"
rc=0
"$HARDRUN_BIN" run --config "$CFG" --runtime runc --user 0 "$IMAGE" true 2>"$WORK/err" || rc=$?
check "--user 0 is refused" test "$rc" = 1
rc=0
"$HARDRUN_BIN" run --config "$CFG" --runtime runc --name envsecret -e DB_PASSWORD=hunter2 "$IMAGE" true 2>"$WORK/err" || rc=$?
check "-e DB_PASSWORD=… is refused by the profile's no-secret-env (C11)" bash -c '[[ $1 != 0 ]] && grep -q "refused: no-secret-env" "$2"' _ "$rc" "$WORK/err"
check "and the refused container is removed" bash -c '! podman container exists envsecret'
for bad in "missing:$WORK/nope.pem" "directory:$WORK/rootfs" "world-readable:$WORK/rootfs.tar" "fifo:$WORK/fifo" "symlink:$WORK/link.pem" "oversized:$WORK/big.pem"; do
  kind=${bad%%:*}
  file=${bad#*:}
  case $kind in
    fifo) mkfifo -m 0600 "$file" ;;
    symlink) ln -s "$WORK/key.pem" "$file" ;;
    oversized) head -c $((600 * 1024)) /dev/zero >"$file"; chmod 0600 "$file" ;;
  esac
  rc=0
  timeout 20 "$HARDRUN_BIN" run --config "$CFG" --runtime runc --secret "$file" "$IMAGE" true 2>"$WORK/err" || rc=$?
  check "a $kind secret is refused (exit $rc): $(head -c 160 "$WORK/err")" bash -c '[[ $1 != 0 && $1 != 124 ]] && grep -q "$2" "$3"' _ "$rc" "$(basename "$file")" "$WORK/err"
done
check "no secret was staged by the refused runs" bash -c '[[ -z $(find "$1" -mindepth 1) ]]' _ "$SECRETS"
check "no container is left behind by refused runs" test -z "$(pm ps -a --format '{{.Names}}')"

# --- 4. refusals by the shim, with config.json byte-identical -----------------------------------
# A runtime wrapper records config.json's hash before and after the shim ran.
cat >"$WORK/hash-runtime" <<EOF
#!/bin/sh
bundle=
prev=
for a in "\$@"; do [ "\$prev" = --bundle ] && bundle=\$a; prev=\$a; done
[ -n "\$bundle" ] && sha256sum "\$bundle/config.json" | cut -d' ' -f1 >"$WORK/hash.before"
$HARDRUN_RUNTIME "\$@"
rc=\$?
[ -n "\$bundle" ] && sha256sum "\$bundle/config.json" | cut -d' ' -f1 >"$WORK/hash.after"
exit \$rc
EOF
chmod 0755 "$WORK/hash-runtime"
shim_refuses() { # description expected-text podman-run-args...
  local d=$1 want=$2
  shift 2
  rm -f "$WORK/hash.before" "$WORK/hash.after"
  if pm run --runtime "$WORK/hash-runtime" --runtime-flag "hardrun-config=$CFG" --runtime-flag hardrun-runtime=/usr/bin/runc \
    --name refused "$@" "$IMAGE" sh -c 'echo RAN' >"$WORK/out" 2>"$WORK/err"; then
    fail "$d" "the container ran"
  elif ! grep -q -- "$want" "$WORK/err"; then
    fail "$d" "no \"$want\" in: $(head -c 300 "$WORK/err")"
  elif [[ ! -s $WORK/hash.before || $(cat "$WORK/hash.before") != "$(cat "$WORK/hash.after")" ]]; then
    fail "$d" "config.json changed"
  elif grep -q RAN "$WORK/out"; then
    fail "$d" "the process ran"
  else
    pass "$d"
  fi
  pm rm --force refused >/dev/null 2>&1 || true
}
shim_refuses "--privileged is refused, config.json untouched" "refused: no-devices" --privileged --uidmap 0:100000:65536 --gidmap 0:100000:65536
shim_refuses "-v /etc:/etc is refused by the shim, config.json untouched" "refused: no-sensitive-mounts" -v /etc:/etc --uidmap 0:100000:65536 --gidmap 0:100000:65536
shim_refuses "no user namespace with a bridge network is refused, config.json untouched" "refused: user-namespace"
shim_refuses "--pid host is refused, config.json untouched" "refused: no-host-namespaces" --pid host --uidmap 0:100000:65536 --gidmap 0:100000:65536
write_config "$WORK/require.json" '{"requireHook": true, "injectHook": false, "hookPath": "/usr/libexec/hardrun/hardrun-hook"}'
CFG_SAVED=$CFG
CFG=$WORK/require.json
shim_refuses "a config without the required hook is refused, config.json untouched (C18)" "hardrun hook not present" --uidmap 0:100000:65536 --gidmap 0:100000:65536
CFG=$CFG_SAVED
rc=0
"$HARDRUN_BIN" run --config "$WORK/require.json" --runtime runc --name nohook "$IMAGE" true 2>"$WORK/err" || rc=$?
check "hardrun run: a refused start exits non-zero" test "$rc" != 0
check "hardrun run: a container whose start was refused is removed (R7)" bash -c '! podman container exists nohook'

# --- 4b. the shim alone: what it refuses never reaches the real runtime ---------------------------
printf '#!/bin/sh\ntouch "%s/delegate-ran"\n' "$WORK" >"$WORK/marker-runtime"
chmod 0755 "$WORK/marker-runtime"
BID=$(random_hex 32)
mkdir -p "$WORK/bundle-real" && chmod 0700 "$WORK/bundle-real"
jq . "$HARDRUN_SOURCE_DIR/tests/golden/network-none.in.json" >"$WORK/bundle-real/config.json"
ln -s "$WORK/bundle-real" "$WORK/bundle-link"
mkdir -p "$WORK/bundle-cfglink" && ln -s "$WORK/bundle-real/config.json" "$WORK/bundle-cfglink/config.json"
shim_direct() { # description expected-text args...
  local d=$1 want=$2 rc=0
  shift 2
  rm -f "$WORK/delegate-ran"
  (cd "$WORK" && "$HARDRUN_RUNTIME" "--hardrun-config=$CFG" "--hardrun-runtime=$WORK/marker-runtime" "$@") >/dev/null 2>"$WORK/err" || rc=$?
  if [[ $rc != 0 && ! -e $WORK/delegate-ran ]] && grep -q -- "$want" "$WORK/err"; then pass "$d"; else
    fail "$d" "exit $rc, delegate ran: $([[ -e $WORK/delegate-ran ]] && echo yes || echo no), $(head -c 200 "$WORK/err")"
  fi
}
shim_direct "shim: a relative bundle path is refused" "is relative" create --bundle bundle-real "$BID"
shim_direct "shim: a symlinked bundle path is refused" "goes through a symlink" create --bundle "$WORK/bundle-link" "$BID"
shim_direct "shim: a config.json that is a symlink is refused (C1)" "symbolic link" create --bundle "$WORK/bundle-cfglink" "$BID"
shim_direct "shim: exec without --process is refused (E16)" "exec without --process" exec "$BID" sh
shim_direct "shim: restore is refused" "not supported" restore --bundle "$WORK/bundle-real" "$BID"
shim_direct "shim: an unknown flag that may take a value is refused" "cannot tell" create --frobnicate x --bundle "$WORK/bundle-real" "$BID"
rm -f "$WORK/delegate-ran"
if (cd "$WORK" && "$HARDRUN_RUNTIME" "--hardrun-config=$CFG" "--hardrun-runtime=$WORK/marker-runtime" state "$BID") 2>/dev/null \
  && [[ -e $WORK/delegate-ran ]]; then
  pass "shim: other subcommands go straight to the real runtime"
else
  fail "shim: state passes through to the real runtime"
fi

# --- 5. the admission hook is injected with a pinned env, args and timeout ----------------------
cat >"$WORK/stub-hook" <<EOF
#!/bin/sh
# Stands in for hardrun-hook: records what it was given.
{ echo "args=\$*"; echo "env=\$(env | sort | tr '\n' ' ')"; } >"$WORK/hook.seen"
cat >/dev/null
exit 0
EOF
chmod 0755 "$WORK/stub-hook"
write_config "$WORK/inject.json" "{\"requireHook\": true, \"injectHook\": true, \"hookPath\": \"$WORK/stub-hook\"}"
rm -f "$WORK/hook.seen"
if "$HARDRUN_BIN" run --config "$WORK/inject.json" --runtime runc --rm -e LD_PRELOAD=/nonexistent.so -e FOO=bar "$IMAGE" true 2>"$WORK/err"; then
  pass "with injectHook the container starts through the injected hook"
else
  fail "with injectHook the container starts through the injected hook" "$(cat "$WORK/err")"
fi
check "the injected hook ran with --config" grep -q "args=--config $WORK/inject.json" "$WORK/hook.seen"
check "the injected hook's env is pinned (no container env, no caller PATH)" \
  bash -c 'grep -q "^env=LC_ALL=C PATH=/usr/sbin:/usr/bin PWD=" "$1" && ! grep -q -e LD_PRELOAD -e FOO "$1"' _ "$WORK/hook.seen"
rm -f "$WORK/stub-hook"
rc=0
"$HARDRUN_BIN" run --config "$WORK/inject.json" --runtime runc --name gonehook "$IMAGE" true 2>"$WORK/err" || rc=$?
check "a missing hook binary refuses the start" bash -c '[[ $1 != 0 ]] && grep -q "is missing" "$2"' _ "$rc" "$WORK/err"
check "and leaves no container" bash -c '! podman container exists gonehook'

# --- 6. the precreate hook hardens plain podman run ----------------------------------------------
cat >"$WORK/hooks/hardrun-precreate.json" <<EOF
{"version": "1.0.0", "hook": {"path": "$HARDRUN_BIN", "args": ["hardrun", "precreate", "--config", "$CFG"],
 "env": ["PATH=/usr/sbin:/usr/bin", "LC_ALL=C"], "timeout": 15}, "when": {"always": true}, "stages": ["precreate"]}
EOF
if pm run --rm --runtime runc --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" sh /hardrun-probe >"$out" 2>"$WORK/err"; then
  pass "podman run with the precreate hook starts"
else
  fail "podman run with the precreate hook starts" "$(cat "$WORK/err")"
fi
if problem=$(check_probe "$out" "$WORK/want.json" 100000); then pass "precreate: plain podman run is hardened inside"; else fail "precreate: inside view" "$problem"; fi
# podman 4.3 shows only the hook's exit status, not its stderr, for precreate.
if pm run --rm --runtime runc --privileged --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" echo RAN >"$WORK/out" 2>"$WORK/err"; then
  fail "precreate: --privileged is refused"
else
  check "precreate: --privileged is refused and nothing ran" bash -c 'grep -q "precreate --config .*exit status 1" "$1" && ! grep -q RAN "$2"' _ "$WORK/err" "$WORK/out"
fi
rm -f "$WORK/hooks/hardrun-precreate.json"

# --- 7. registered in containers.conf as the default runtime (contrib/containers.conf.d) ---------
sed "s|^\[engine\]\$|[engine]\nruntime = \"hardrun\"|" "$WORK/containers.conf" >"$WORK/named.conf"
printf '[engine.runtimes]\nhardrun = ["%s"]\n' "$HARDRUN_RUNTIME" >>"$WORK/named.conf"
if CONTAINERS_CONF=$WORK/named.conf podman --runtime-flag "hardrun-config=$CFG" --runtime-flag hardrun-runtime=/usr/bin/runc \
  run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMAGE" sh /hardrun-probe >"$out" 2>"$WORK/err"; then
  pass "podman with runtime = \"hardrun\" in containers.conf starts"
else
  fail "podman with runtime = \"hardrun\" in containers.conf starts" "$(cat "$WORK/err")"
fi
if problem=$(check_probe "$out" "$WORK/want.json" 100000); then pass "containers.conf runtime: hardened inside"; else fail "containers.conf runtime: inside view" "$problem"; fi

echo "$NAME: $PASSES passed, $FAILS failed"
[[ $FAILS == 0 ]]
