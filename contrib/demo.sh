#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# contrib/demo.sh: a hardened container from a locally built image, the way a user runs it
# (as root; about ten seconds):
#
#   a. private podman storage in a scratch directory (the host's containers, images and
#      networks are never touched; podman is pointed there with CONTAINERS_CONF and
#      CONTAINERS_STORAGE_CONF, as an admin would);
#   b. a busybox image built offline and imported, and its digest;
#   c. hardrun run by tag is refused, with the command that prints the digest to pin;
#   d. hardrun run --secret key.pem IMAGE@sha256:… — a probe inside reports the uid, the
#      capabilities, no_new_privs, seccomp, the user namespace, the read-only root and the
#      secret (content, owner, mode, mount);
#   e. podman exec --user 0 and --privileged on that container are refused by the shim;
#   f. hardrun check on a weak podman config shows what the shim would refuse or fix.
#
# Profile: contrib/demo-profile.json (strict, with an explicit host id allocation 100000+65536
# instead of /etc/subuid, so the demo edits no host files). The admission hook (image
# signatures) is not part of this demo: its configuration does not require the hook.
#
# Needs root, podman (with conmon), runc, jq, busybox-static and a built hardrun:
# HARDRUN_BIN (default: <repo>/build/launcher/hardrun, with hardrun-runtime next to it).
# Exits non-zero unless every step behaves as shown; the last line is "demo: OK".
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
HARDRUN_BIN=${HARDRUN_BIN:-$REPO/build/launcher/hardrun}
[[ $HARDRUN_BIN == /* || $HARDRUN_BIN != */* ]] || HARDRUN_BIN=$PWD/$HARDRUN_BIN
TAG=localhost/hardrun-demo:1
BUSYBOX=/bin/busybox

die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (rootful podman and runc): sudo $0"
for tool in podman conmon runc jq tar timeout sha256sum; do
  command -v "$tool" >/dev/null 2>&1 \
    || die "$tool is not installed (Debian: apt-get install podman conmon runc jq busybox-static)"
done
if [[ ! -x $BUSYBOX ]] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
  die "$BUSYBOX is missing (Debian: apt-get install busybox-static)"
fi
[[ -x $HARDRUN_BIN && -x $(dirname "$HARDRUN_BIN")/hardrun-runtime ]] \
  || die "no hardrun binaries at $HARDRUN_BIN (build: contrib/dev.sh build, or set HARDRUN_BIN)"
# make_template, random_hex, probe_value, check_probe.
# shellcheck source-path=SCRIPTDIR source=../tests/integration/lib/bundle.sh
source "$REPO/tests/integration/lib/bundle.sh"
# private_podman_init, private_podman_teardown.
# shellcheck source-path=SCRIPTDIR source=../tests/integration/lib/podman.sh
source "$REPO/tests/integration/lib/podman.sh"

cd -- "$REPO"
PROFILE=$REPO/contrib/demo-profile.json
HARDRUN=$HARDRUN_BIN
[[ $HARDRUN_BIN == "$REPO"/* ]] && HARDRUN=${HARDRUN_BIN#"$REPO"/}

private_podman_init "$(mktemp -d "${TMPDIR:-/tmp}/hardrun-demo.XXXXXX")"
W=$PODMAN_DIR
chmod 0711 "$W"
MOUNTED=()
cleanup() {
  local rc=$? mp id
  trap - EXIT INT TERM HUP
  set +e
  for id in $(podman ps -a -q --no-trunc 2>/dev/null); do rm -f "/run/hardrun/containers/$id.json"; done
  podman rm --all --force --time 0 >/dev/null 2>&1
  podman rmi --all --force >/dev/null 2>&1
  for mp in ${MOUNTED[@]+"${MOUNTED[@]}"}; do umount "$mp" 2>/dev/null; done
  private_podman_teardown
  ((rc == 0)) || printf 'demo: FAILED (exit %d)\n' "$rc" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

step() { printf '\n=== %s\n' "$*"; }
# Prints a command as it could be typed: words that need it in single quotes.
show() {
  local a words=()
  for a; do
    if [[ $a =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then words+=("$a"); else words+=("'${a//\'/\'\\\'\'}'"); fi
  done
  printf '+ %s\n' "${words[*]}"
}

step "a. private podman storage in $W"
# podman's run root and hardrun's secrets live on tmpfs, as /run does on a real host.
mkdir -p "$W/runroot" "$W/secrets"
mount -t tmpfs -o mode=0700 tmpfs "$W/runroot" && MOUNTED+=("$W/runroot")
mount -t tmpfs -o mode=0711,nosuid,nodev,noexec,size=8m tmpfs "$W/secrets" && MOUNTED+=("$W/secrets")
private_podman_conf
jq -n --arg p "$PROFILE" --arg s "$W/secrets" \
  '{hardrunConfig: 1, profile: $p, runtime: "/usr/bin/runc", secretsDir: $s, requireHook: false, injectHook: false}' \
  >"$W/hardrun.json"
printf 'export CONTAINERS_STORAGE_CONF=%s CONTAINERS_CONF=%s\n' "$W/storage.conf" "$W/containers.conf"
printf 'hardrun configuration %s:\n' "$W/hardrun.json"
jq -c . "$W/hardrun.json" | sed 's/^/  /'

step "b. a busybox image, built offline and imported"
make_template "$W/image" "$BUSYBOX"
tar --numeric-owner --owner=0 --group=0 -C "$W/image" -cf "$W/image.tar" .
show podman import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' image.tar "$TAG"
podman import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$W/image.tar" "$TAG" >/dev/null \
  || die "podman import failed"
DIGEST=$(podman image inspect --format '{{.Digest}}' "$TAG")
IMAGE=localhost/hardrun-demo@$DIGEST
printf 'pinned reference: %s\n' "$IMAGE"

step "c. by tag: refused, with the command that prints the digest"
show "$HARDRUN" run --config "$W/hardrun.json" "$TAG" true
rc=0
"$HARDRUN_BIN" run --config "$W/hardrun.json" "$TAG" true || rc=$?
((rc == 1)) || die "hardrun run by tag exited $rc, expected 1"
printf '(exit 1, as expected)\n'

step "d. hardrun run --secret key.pem, by digest"
umask 077
printf 'demo-secret-%s\n' "$(random_hex 8)" >"$W/key.pem"
umask 022
PROBE='sh /hardrun-probe; echo "secret_sha=$(sha256sum /run/secrets/key.pem | cut -d" " -f1)"
echo "secret_ls=$(ls -ln /run/secrets/key.pem)"
grep " /run/secrets/key.pem " /proc/self/mountinfo | sed "s/^/secret_mount=/"'
show "$HARDRUN" run --config "$W/hardrun.json" --runtime runc --secret "$W/key.pem" --rm "$IMAGE" sh -c '<probe>'
"$HARDRUN_BIN" run --config "$W/hardrun.json" --runtime runc --secret "$W/key.pem" --rm "$IMAGE" sh -c "$PROBE" \
  >"$W/probe.out" || die "hardrun run failed"
pv() { probe_value "$W/probe.out" "$1"; }
printf 'the probe inside the container reports:\n'
printf '  uid=%s gid=%s                        (non-root service user)\n' "$(pv uid)" "$(pv gid)"
printf '  CapEff=%s CapBnd=%s   (no capabilities)\n' "$(pv capeff)" "$(pv capbnd)"
printf '  NoNewPrivs=%s Seccomp=%s                     (2 = filter)\n' "$(pv nonewprivs)" "$(pv seccomp)"
printf '  uid_map=%s              (container root is host id 100000)\n' "$(pv uid_map)"
err=$(pv rootfs_write_error)
printf '  touch / -> %s; /tmp writable: %s\n' "${err##*: }" "$(pv tmp_write)"
printf '  %s\n' "$(pv secret_ls)"
mount_line=$(pv secret_mount)
printf '  secret mount options: %s, filesystem: %s\n' "$(cut -d' ' -f6 <<<"$mount_line")" \
  "$(sed 's/.* - \([^ ]*\) .*/\1/' <<<"$mount_line")"
jq -n '{process: {user: {uid: 10001}}}' >"$W/want.json"
if ! problem=$(check_probe "$W/probe.out" "$W/want.json" 100000); then
  die "hardening missing inside the container: $problem"
fi
[[ $(pv secret_sha) == "$(sha256sum "$W/key.pem" | cut -d' ' -f1)" ]] || die "the secret's content differs"
[[ $(pv secret_ls) == "-r-------- "*" 10001 "*" 10001 "* ]] || die "the secret is not 0400 10001:10001"
[[ -z $(find "$W/secrets" -type f) ]] || die "a secret copy outlived the container"
printf 'the secret is readable only by uid 10001 (same sha256 as key.pem); its copy is gone with the container\n'

step "e. podman exec cannot get root or capabilities back"
show "$HARDRUN" run --config "$W/hardrun.json" --runtime runc -d --name svc "$IMAGE" sleep 300
"$HARDRUN_BIN" run --config "$W/hardrun.json" --runtime runc -d --name svc "$IMAGE" sleep 300 >/dev/null \
  || die "hardrun run -d failed"
for flag in "--user=0" --privileged; do
  show podman exec "$flag" svc id
  if podman exec "$flag" svc id 2>"$W/exec.err"; then die "podman exec $flag was not refused"; fi
  grep -o 'hardrun-runtime: refused: [a-z-]*: [^ ]* [^ ]* [^—]*' "$W/exec.err" | head -1 | sed 's|: /[^ ]* |: |; s/^/  /' | cut -c1-140
done
podman rm --force --time 0 svc >/dev/null

step "f. the same rules on a weak podman config, without running it"
show podman create --name weak --cap-add SYS_ADMIN --security-opt seccomp=unconfined --user 0 --pid host "$IMAGE"
podman create --name weak --cap-add SYS_ADMIN --security-opt seccomp=unconfined --user 0 --pid host "$IMAGE" >/dev/null
podman init weak >/dev/null 2>&1 || true
ID=$(podman inspect --format '{{.Id}}' weak)
show "$HARDRUN" check --policy contrib/demo-profile.json --bundle "…/overlay-containers/${ID:0:12}…/userdata"
rc=0
"$HARDRUN_BIN" check --policy "$PROFILE" --bundle "$W/storage/overlay-containers/$ID/userdata" || rc=$?
((rc == 1)) || die "hardrun check exited $rc, expected 1"

printf '\ndemo: OK\n'
