#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# hardrun doctor and hardrun audit on real podman 4.3.1 + runc.
#
# doctor: a host set up here the way an admin would (hardrun.json, a trust policy with a key
# generated here, install-hook into a hooks dir that podman is pointed at through CONTAINERS_CONF,
# the shim registered in [engine.runtimes]) must pass, canary included; then each way it can be
# broken (hook binary missing, shim not registered, hooks.d file in a directory podman does not
# read) must FAIL with the right fix.
# audit: deliberately weak containers (--privileged, --cap-add, root, by tag) show their gaps
# with the well-known ids; a container started by `hardrun run` audits clean. audit --image: an
# image whose second layer adds /root/.ssh/id_rsa that the third deletes, with ENV API_TOKEN and
# an apt cache, shows each footgun with its layer; a clean image is clean.
#
# Private podman (storage, run root on tmpfs, hooks, networks) via lib/podman.sh; the canary uses
# doctor's own private store. Needs root, podman, runc, skopeo, busybox-static, jq, openssl;
# exit 77 (skip) otherwise unless HARDRUN_TEST_MUST_WORK=1.
# Environment: HARDRUN_BIN, HARDRUN_HOOK, HARDRUN_RUNTIME, HARDRUN_CANARY, HARDRUN_SOURCE_DIR.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
HARDRUN_RUNTIME=${HARDRUN_RUNTIME:-$(dirname "$HARDRUN_BIN")/hardrun-runtime}
HARDRUN_CANARY=${HARDRUN_CANARY:-$(dirname "$HARDRUN_BIN")/hardrun-canary}
HARDRUN_HOOK=${HARDRUN_HOOK:-$(dirname "$HARDRUN_BIN")/../hook/hardrun-hook}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
# shellcheck source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"
# shellcheck source=lib/bundle.sh
source "$SCRIPT_DIR/lib/bundle.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"
# shellcheck source=lib/registry.sh
source "$SCRIPT_DIR/lib/registry.sh"
# shellcheck source=lib/hookrun.sh
source "$SCRIPT_DIR/lib/hookrun.sh"
# shellcheck source=lib/oci.sh
source "$SCRIPT_DIR/lib/oci.sh"

NAME=doctor_audit
skip() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "$NAME: FAIL: cannot run: $1 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "$NAME: SKIP: $1"
  exit 77
}
[[ $(id -u) == 0 ]] || skip "needs root (rootful podman)"
for tool in podman runc skopeo jq openssl sha256sum tar; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || skip "busybox-static is not installed"
for b in "$HARDRUN_BIN" "$HARDRUN_RUNTIME" "$HARDRUN_HOOK" "$HARDRUN_CANARY"; do
  [[ -x $b ]] || { echo "$NAME: FAIL: $b missing" >&2; exit 1; }
done
RUNC=$(command -v runc)

# Short: podman refuses a run root longer than 50 characters (the second store's is below it).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hd.XXXXXXXXXX")
chmod 0711 "$WORK"
mkdir -p "$WORK/podman"
private_podman_init "$WORK/podman"
mkdir -p "$PODMAN_DIR/runroot"
mount -t tmpfs -o mode=0700 tmpfs "$PODMAN_DIR/runroot"

cleanup() {
  set +e
  pm rm --all --force --time 0 >/dev/null 2>&1
  pm rmi --all --force >/dev/null 2>&1
  podman --root "$PODMAN_DIR/store2" --runroot "$PODMAN_DIR/runroot/s2" rmi --all --force >/dev/null 2>&1
  private_podman_teardown
  rm -rf --one-file-system -- "$WORK"
}
trap cleanup EXIT

# podman (and hardrun run, and doctor) read this containers.conf: hooks_dir = [$PODMAN_DIR/hooks];
# the shim is registered as an extra table, the way contrib/containers.conf.d/hardrun.conf does.
private_podman_conf
printf '[engine.runtimes]\nhardrun = ["%s"]\n' "$HARDRUN_RUNTIME" >>"$CONTAINERS_CONF"
cp "$CONTAINERS_CONF" "$WORK/containers.conf.good"

# --- the host: images, a key, a trust policy, hardrun.json --------------------------------------
make_template "$WORK/rootfs" "$BUSYBOX"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
pm import -q -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/doctor-test:1 >/dev/null
DIGEST=$(pm image inspect --format '{{.Digest}}' localhost/doctor-test:1)
IMAGE=localhost/doctor-test@$DIGEST

signing_init "$WORK/sign"
sigstore_key_create doctor
policy_write "$WORK/policy.json" "registry.invalid/doctor" "$(req_sigstore "$SIGN_DIR/doctor.pub")"
mkdir -p "$WORK/registries.d"
CFG=$WORK/hardrun.json
# The audit's hardened container runs this unsigned local image: an exception by its digest.
hardrun_config_write "$CFG" enforce "$WORK/policy.json" "$WORK/registries.d" "$PROFILE" "$HARDRUN_HOOK" "$DIGEST"
jq --arg rt "$RUNC" '.injectHook = true | .runtime = $rt' "$CFG" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"
chmod 0644 "$CFG" "$WORK/policy.json"

doctor() { # out-json args...
  local out=$1
  shift
  local rc=0
  timeout 600 "$HARDRUN_BIN" doctor --config "$CFG" --canary "$HARDRUN_CANARY" --json "$@" >"$out" 2>"$out.err" || rc=$?
  echo "$rc"
}
status_of() { jq -r --arg c "$2" '[.checks[] | select(.check == $c) | .status] | first // "absent"' "$1"; }
fix_of() { jq -r --arg c "$2" '[.checks[] | select(.check == $c) | .fix] | first // ""' "$1"; }
detail_of() { jq -r --arg c "$2" '[.checks[] | select(.check == $c) | .detail] | first // ""' "$1"; }

# --- audit: containers --------------------------------------------------------------------------
# Before install-hook: the weak containers are started by plain podman with an empty hooks dir.
pm run -d --name weak-priv --privileged localhost/doctor-test:1 sleep 600 >/dev/null
pm run -d --name weak-caps --cap-add NET_ADMIN --cap-add SYS_PTRACE --user 0 "$IMAGE" sleep 600 >/dev/null
# The private store through CONTAINERS_CONF/CONTAINERS_STORAGE_CONF (podman --root alone would also
# move its volume path); --root/--runroot pass-through is tested with a second store below.
AUDIT=("$HARDRUN_BIN" audit --config "$CFG")
rc=0
"${AUDIT[@]}" --json weak-priv weak-caps >"$WORK/audit-weak.json" 2>"$WORK/audit-weak.err" || rc=$?
report "$([[ $rc == 1 ]] && echo ok || echo not-ok)" "audit weak" "exit status $rc (want 1: findings) $(head -c 300 "$WORK/audit-weak.err")"
rules_of() { jq -r --arg n "$2" '.containers[] | select(.name == $n) | .findings[].rule' "$1" | sort -u | tr '\n' ' '; }
ids_of() { jq -r --arg n "$2" --arg r "$3" '[.containers[] | select(.name == $n) | .findings[] | select(.rule == $r) | .ids] | first | "\(.cis)|\(.kubescape)|\(.trivy)"' "$1"; }
priv=$(rules_of "$WORK/audit-weak.json" weak-priv)
for want in privileged pinned-image drop-capabilities seccomp no-new-privileges read-only-root non-root-user masked-paths; do
  report "$([[ " $priv" == *" $want "* ]] && echo ok || echo not-ok)" "audit --privileged" "finds $want (found: $priv)"
done
report "$([[ $(ids_of "$WORK/audit-weak.json" weak-priv privileged) == "5.4|C-0057|KSV-0017" ]] && echo ok || echo not-ok)" \
  "audit --privileged" "privileged maps to CIS 5.4, C-0057, KSV-0017 ($(ids_of "$WORK/audit-weak.json" weak-priv privileged))"
caps=$(rules_of "$WORK/audit-weak.json" weak-caps)
for want in drop-capabilities non-root-user read-only-root no-new-privileges; do
  report "$([[ " $caps" == *" $want "* ]] && echo ok || echo not-ok)" "audit --cap-add --user 0" "finds $want (found: $caps)"
done
report "$([[ " $caps" != *" pinned-image "* && " $caps" != *" privileged "* ]] && echo ok || echo not-ok)" \
  "audit --cap-add --user 0" "pinned by digest and not privileged: neither is reported"
report "$([[ $(ids_of "$WORK/audit-weak.json" weak-caps drop-capabilities) == "5.4|C-0046|KSV-0003" ]] && echo ok || echo not-ok)" \
  "audit --cap-add" "drop-capabilities maps to CIS 5.4, C-0046, KSV-0003"
report "$([[ $(ids_of "$WORK/audit-weak.json" weak-caps read-only-root) == "5.13|C-0017|KSV-0014" ]] && echo ok || echo not-ok)" \
  "audit no read-only" "read-only-root maps to CIS 5.13, C-0017, KSV-0014"
# The text report names the remedy.
"${AUDIT[@]}" weak-caps >"$WORK/audit-weak.txt" 2>&1 || true
report "$(grep -q 'fix: ' "$WORK/audit-weak.txt" && grep -q 'drop-capabilities \[CIS Docker 5.4' "$WORK/audit-weak.txt" && echo ok || echo not-ok)" \
  "audit text" "each gap with its ids and a fix line"

# A container started by hardrun run audits clean.
if "$HARDRUN_BIN" run --config "$CFG" --runtime runc -d --name good "$IMAGE" sleep 600 >/dev/null 2>"$WORK/run.err"; then
  rc=0
  "${AUDIT[@]}" good >"$WORK/audit-good.txt" 2>&1 || rc=$?
  report "$([[ $rc == 0 ]] && echo ok || echo not-ok)" "audit hardrun run" "exit $rc, $(head -c 400 "$WORK/audit-good.txt" | tr '\n' ' ')"
else
  report not-ok "audit hardrun run" "hardrun run failed: $(head -c 300 "$WORK/run.err")"
fi
# No arguments: every running container of this store, the weak ones among them.
rc=0
"${AUDIT[@]}" --json >"$WORK/audit-all.json" 2>/dev/null || rc=$?
n=$(jq '.containers | length' "$WORK/audit-all.json" 2>/dev/null || echo 0)
report "$([[ $rc == 1 && $n == 3 ]] && echo ok || echo not-ok)" "audit (all)" "exit $rc, $n containers (want 1, 3)"
# A unit file and a container in one run: --json prints one document holding both.
printf '[Container]\nImage=docker.io/library/busybox:latest\n' >"$WORK/weak.container"
rc=0
"${AUDIT[@]}" --json "$WORK/weak.container" weak-caps >"$WORK/audit-both.json" 2>"$WORK/err" || rc=$?
docs=$(jq -s 'length' "$WORK/audit-both.json" 2>/dev/null || echo "not JSON")
shape=$(jq -r '"\(.units | length) \(.containers | length) \(.units[0].findings | length > 0)"' "$WORK/audit-both.json" 2>/dev/null || true)
report "$([[ $rc == 1 && $docs == 1 && $shape == "1 1 true" ]] && echo ok || echo not-ok)" "audit unit + container --json" \
  "exit $rc, $docs JSON document(s), units/containers/unit findings: $shape (want 1, 1 document, 1 1 true) $(head -c 200 "$WORK/err")"
rc=0
"${AUDIT[@]}" no-such-container >/dev/null 2>"$WORK/err" || rc=$?
report "$([[ $rc != 0 && $rc != 1 ]] && grep -q 'no-such-container' "$WORK/err" && echo ok || echo not-ok)" "audit unknown" \
  "an unknown container is an error (exit $rc), not 'clean': $(head -c 200 "$WORK/err")"
pm rm --all --force --time 0 >/dev/null 2>&1 || true

# --- audit --image ------------------------------------------------------------------------------
# An OCI layout written here, layer by layer (no build tool, no network), copied into the store.
L=$WORK/layers
mkdir -p "$L/secret/root/.ssh" "$L/secret/var/lib/apt/lists" "$L/secret/var/cache/apt/archives" "$L/cleanup/root/.ssh"
openssl genpkey -algorithm ed25519 -out "$L/secret/root/.ssh/id_rsa" 2>/dev/null
printf 'Package: curl\n' >"$L/secret/var/lib/apt/lists/deb_dists_bookworm_main_binary-amd64_Packages"
head -c 4096 /dev/urandom >"$L/secret/var/cache/apt/archives/curl_7.88_amd64.deb"
: >"$L/cleanup/root/.ssh/.wh.id_rsa"
tar -C "$WORK/rootfs" --owner 0 --group 0 -cf "$L/base.tar" .
tar -C "$L/secret" --owner 0 --group 0 -cf "$L/secret.tar" .
tar -C "$L/cleanup" --owner 0 --group 0 -cf "$L/cleanup.tar" .
oci_image "$WORK/leaky" leaky '{"config": {"Env": ["PATH=/bin", "API_TOKEN=tok-0123456789"], "Cmd": ["/bin/sh"]},
  "history": [{"created_by": "ADD rootfs.tar /"}, {"created_by": "COPY id_rsa /root/.ssh/id_rsa; RUN apt-get update"},
              {"created_by": "RUN rm /root/.ssh/id_rsa"}, {"created_by": "ENV API_TOKEN=tok-0123456789", "empty_layer": true}]}' \
  "$L/base.tar" "$L/secret.tar" "$L/cleanup.tar"
oci_image "$WORK/clean" clean '{"config": {"Env": ["PATH=/bin"], "User": "10001:10001", "Cmd": ["/bin/sh"]},
  "history": [{"created_by": "ADD rootfs.tar /"}]}' "$L/base.tar"
# A second store, used only through --root/--runroot (run root on the test's tmpfs; below
# PODMAN_DIR, so private_podman_teardown unmounts what c/storage mounts there).
STORE2=(--root "$PODMAN_DIR/store2" --runroot "$PODMAN_DIR/runroot/s2")
for i in leaky clean; do
  skopeo copy --quiet "oci:$WORK/$i:$i" "containers-storage:[overlay@$PODMAN_DIR/store2+$PODMAN_DIR/runroot/s2]localhost/$i:1" >/dev/null
done
LEAKY=localhost/leaky@$(podman "${STORE2[@]}" image inspect --format '{{.Digest}}' localhost/leaky:1)
CLEAN=localhost/clean@$(podman "${STORE2[@]}" image inspect --format '{{.Digest}}' localhost/clean:1)
AUDIT+=("${STORE2[@]}")
SECRET_DIFF=$(jq -r '.rootfs.diff_ids[1]' "$WORK/leaky/config.json")

rc=0
"${AUDIT[@]}" --json --image "$LEAKY" >"$WORK/image-leaky.json" 2>"$WORK/image.err" || rc=$?
report "$([[ $rc == 1 ]] && echo ok || echo not-ok)" "audit --image leaky" "exit $rc (want 1) $(head -c 300 "$WORK/image.err")"
key=$(jq -c '[.findings[] | select(.rule == "image-secret-file" and .where == "/root/.ssh/id_rsa")] | first' "$WORK/image-leaky.json")
report "$(jq -e --arg d "$SECRET_DIFF" '.layer == 1 and .layerDigest == $d and (.message | test("layer 2 .* deletes it"))' <<<"$key" >/dev/null && echo ok || echo not-ok)" \
  "audit --image leaky" "the id_rsa deleted by a whiteout is reported in layer 1 ($SECRET_DIFF): $key"
report "$(jq -e '[.findings[] | select(.rule == "image-secret-env" and .where == "ENV API_TOKEN")] | length == 1' "$WORK/image-leaky.json" >/dev/null && echo ok || echo not-ok)" \
  "audit --image leaky" "ENV API_TOKEN is reported"
report "$(! grep -q 'tok-0123456789' "$WORK/image-leaky.json" && echo ok || echo not-ok)" "audit --image leaky" "the token's value is never printed"
report "$(jq -e '[.findings[] | select(.rule == "image-package-cache" and .layer == 1)] | length == 2' "$WORK/image-leaky.json" >/dev/null && echo ok || echo not-ok)" \
  "audit --image leaky" "the apt caches (archives and lists) are reported in layer 1"
report "$(jq -e '[.findings[] | select(.rule == "image-root-user")] | length == 1' "$WORK/image-leaky.json" >/dev/null && echo ok || echo not-ok)" \
  "audit --image leaky" "the root default user is reported"
rc=0
"${AUDIT[@]}" --image "$CLEAN" >"$WORK/image-clean.txt" 2>&1 || rc=$?
report "$([[ $rc == 0 ]] && grep -q clean "$WORK/image-clean.txt" && echo ok || echo not-ok)" "audit --image clean" "exit $rc: $(head -c 200 "$WORK/image-clean.txt")"
rc=0
"${AUDIT[@]}" --image localhost/leaky:1 >/dev/null 2>"$WORK/err" || rc=$?
report "$([[ $rc == 2 ]] && grep -q 'not pinned by digest' "$WORK/err" && echo ok || echo not-ok)" "audit --image tag" "a tag is refused (exit $rc)"

# --- doctor -------------------------------------------------------------------------------------
"$HARDRUN_BIN" install-hook --config "$CFG" --hooks-dir "$PODMAN_DIR/hooks" >/dev/null
rc=$(doctor "$WORK/doctor-ok.json")
report "$([[ $rc == 0 ]] && echo ok || echo not-ok)" "doctor on a set-up host" "exit $rc: $(jq -c '[.checks[] | select(.status != "ok") | {check, status, detail}]' "$WORK/doctor-ok.json" 2>/dev/null | head -c 600) $(head -c 200 "$WORK/doctor-ok.json.err")"
for c in config profile trust-policy containers-conf hooks-dir hooks-file hook-binary shim-registered delegate canary-image canary-shim canary-hook; do
  s=$(status_of "$WORK/doctor-ok.json" "$c")
  report "$([[ $s == ok ]] && echo ok || echo not-ok)" "doctor ok" "$c: $s: $(detail_of "$WORK/doctor-ok.json" "$c" | head -c 300)"
done
report "$(detail_of "$WORK/doctor-ok.json" trust-policy | grep -q '1 sigstoreSigned' && echo ok || echo not-ok)" "doctor ok" \
  "the generated sigstore key loaded"
report "$(detail_of "$WORK/doctor-ok.json" canary-shim | grep -q 'Seccomp 2' && echo ok || echo not-ok)" "doctor ok" "the canary saw the rewrite from inside"
report "$(detail_of "$WORK/doctor-ok.json" canary-hook | grep -q 'hardrun-hook: deny:' && echo ok || echo not-ok)" "doctor ok" "the hook's deny line"
report "$([[ -z $(find /run /var/tmp -maxdepth 1 -name 'hardrun-doctor.*' 2>/dev/null) ]] && echo ok || echo not-ok)" "doctor ok" \
  "the canary's private store is gone"
report "$(! grep -qs '"bundle":"/run/hardrun-doctor\.' /run/hardrun/containers/*.json && echo ok || echo not-ok)" "doctor ok" \
  "and so are the shim's records of its containers"

# Broken 1: the hooks.d file names a hook binary that does not exist (podman skips it silently).
jq --arg p "$WORK/no-such-hook" '.hook.path = $p' "$PODMAN_DIR/hooks/00-hardrun.json" >"$WORK/hook.json"
cp "$WORK/hook.json" "$PODMAN_DIR/hooks/00-hardrun.json"
rc=$(doctor "$WORK/doctor-nohook.json")
report "$([[ $rc == 1 ]] && echo ok || echo not-ok)" "doctor, hook binary missing" "exit $rc (want 1)"
report "$([[ $(status_of "$WORK/doctor-nohook.json" hook-binary) == FAIL ]] && fix_of "$WORK/doctor-nohook.json" hook-binary | grep -q "install-hook --hooks-dir $PODMAN_DIR/hooks" && echo ok || echo not-ok)" \
  "doctor, hook binary missing" "hook-binary FAIL, fix: $(fix_of "$WORK/doctor-nohook.json" hook-binary)"
report "$([[ $(status_of "$WORK/doctor-nohook.json" canary-hook) == FAIL ]] && detail_of "$WORK/doctor-nohook.json" canary-hook | grep -q RAN && echo ok || echo not-ok)" \
  "doctor, hook binary missing" "the canary proves it: it ran around the shim ($(detail_of "$WORK/doctor-nohook.json" canary-hook | head -c 200))"
"$HARDRUN_BIN" install-hook --config "$CFG" --hooks-dir "$PODMAN_DIR/hooks" >/dev/null

# Broken 2: the shim is not registered.
grep -v -e '^\[engine.runtimes\]' -e '^hardrun = ' "$WORK/containers.conf.good" >"$CONTAINERS_CONF"
rc=$(doctor "$WORK/doctor-noshim.json" --skip-canary)
report "$([[ $rc == 1 ]] && echo ok || echo not-ok)" "doctor, shim not registered" "exit $rc (want 1)"
report "$([[ $(status_of "$WORK/doctor-noshim.json" shim-registered) == FAIL ]] && fix_of "$WORK/doctor-noshim.json" shim-registered | grep -q '\[engine.runtimes\] hardrun' && echo ok || echo not-ok)" \
  "doctor, shim not registered" "shim-registered FAIL, fix: $(fix_of "$WORK/doctor-noshim.json" shim-registered)"

# Broken 3: podman reads another hooks directory than the one holding 00-hardrun.json.
mkdir -p "$WORK/other-hooks"
sed "s#hooks_dir = \\[.*\\]#hooks_dir = [\"$WORK/other-hooks\"]#" "$WORK/containers.conf.good" >"$CONTAINERS_CONF"
rc=$(doctor "$WORK/doctor-otherdir.json" --skip-canary)
report "$([[ $rc == 1 && $(status_of "$WORK/doctor-otherdir.json" hooks-dir) == FAIL ]] && fix_of "$WORK/doctor-otherdir.json" hooks-dir | grep -q "install-hook --hooks-dir $WORK/other-hooks" && echo ok || echo not-ok)" \
  "doctor, hooks dir not read" "exit $rc, hooks-dir FAIL, fix: $(fix_of "$WORK/doctor-otherdir.json" hooks-dir)"
cp "$WORK/containers.conf.good" "$CONTAINERS_CONF"

# Rootless view: rootless podman also reads the user's containers.conf ($XDG_CONFIG_HOME), which
# can name hook directories the system files do not. CONTAINERS_CONF would override every file,
# so these runs go without it.
mkdir -p "$WORK/xdg/containers" "$WORK/user-hooks"
printf '[engine]\nhooks_dir = ["%s"]\n' "$WORK/user-hooks" >"$WORK/xdg/containers/containers.conf"
chmod -R go+rX "$WORK/xdg" "$WORK/user-hooks"
view_doctor() { # out-json [doctor args...]: doctor with the user's config home, no CONTAINERS_CONF
  local out=$1 rc=0
  shift
  env -u CONTAINERS_CONF XDG_CONFIG_HOME="$WORK/xdg" "$@" >"$out" 2>"$out.err" || rc=$?
  echo "$rc"
}
rc=$(view_doctor "$WORK/doctor-rootless.json" "$HARDRUN_BIN" doctor --rootless --config "$CFG" --skip-canary --json)
d=$(detail_of "$WORK/doctor-rootless.json" containers-conf)
report "$([[ $rc == 1 && $d == *"$WORK/xdg/containers/containers.conf"* && $d == *"(rootless view)"* ]] && echo ok || echo not-ok)" \
  "doctor --rootless" "the user's containers.conf is read (exit $rc): $d"
report "$([[ $(status_of "$WORK/doctor-rootless.json" hooks-dir) == FAIL ]] && fix_of "$WORK/doctor-rootless.json" hooks-dir | grep -q "install-hook --hooks-dir $WORK/user-hooks" && echo ok || echo not-ok)" \
  "doctor --rootless" "its hooks_dir has no 00-hardrun.json: FAIL, fix: $(fix_of "$WORK/doctor-rootless.json" hooks-dir)"
"$HARDRUN_BIN" install-hook --config "$CFG" --hooks-dir "$WORK/user-hooks" >/dev/null
view_doctor "$WORK/doctor-rootless-ok.json" "$HARDRUN_BIN" doctor --rootless --config "$CFG" --skip-canary --json >/dev/null
report "$([[ $(status_of "$WORK/doctor-rootless-ok.json" hooks-dir) == ok && $(status_of "$WORK/doctor-rootless-ok.json" hooks-file) == ok ]] && echo ok || echo not-ok)" \
  "doctor --rootless" "after install-hook there: hooks-dir $(status_of "$WORK/doctor-rootless-ok.json" hooks-dir), hooks-file $(status_of "$WORK/doctor-rootless-ok.json" hooks-file)"
# Root without --rootless judges rootful podman, which never reads the user's file.
view_doctor "$WORK/doctor-rootful.json" "$HARDRUN_BIN" doctor --config "$CFG" --skip-canary --json >/dev/null
d=$(detail_of "$WORK/doctor-rootful.json" containers-conf)
report "$([[ $d != *"$WORK/xdg"* && $d == *"(rootful view)"* ]] && echo ok || echo not-ok)" "doctor (root)" "the user's file is not read: $d"
# An unprivileged user: the rootless view without the flag, and no canary (it needs root).
if command -v setpriv >/dev/null; then
  view_doctor "$WORK/doctor-user.json" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$HARDRUN_BIN" doctor --config "$CFG" --json >/dev/null
  d=$(detail_of "$WORK/doctor-user.json" containers-conf)
  report "$([[ $d == *"(rootless view)"* && $(status_of "$WORK/doctor-user.json" canary) == skip && $(fix_of "$WORK/doctor-user.json" canary) == "sudo hardrun doctor" ]] && echo ok || echo not-ok)" \
    "doctor as a user" "rootless view implied ($d), canary $(status_of "$WORK/doctor-user.json" canary): $(detail_of "$WORK/doctor-user.json" canary) $(head -c 200 "$WORK/doctor-user.json.err")"
else
  report not-ok "doctor as a user" "setpriv (util-linux) is missing"
fi

# Text output: ok/FAIL lines, fixes indented.
rm -f "$PODMAN_DIR/hooks/00-hardrun.json"
rc=0
"$HARDRUN_BIN" doctor --config "$CFG" --skip-canary >"$WORK/doctor.txt" 2>&1 || rc=$?
report "$([[ $rc == 1 ]] && grep -q '^FAIL	hooks-dir' "$WORK/doctor.txt" && grep -q '^	fix: hardrun install-hook' "$WORK/doctor.txt" && echo ok || echo not-ok)" \
  "doctor text" "FAIL line and its fix (exit $rc)"

tap_finish
