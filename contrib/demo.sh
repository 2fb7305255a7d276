#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# contrib/demo.sh: watch hardrun work on a REAL podman config.json (run as root; a few seconds).
#
#   a. private podman storage in a scratch directory (the host's containers and images are
#      never touched);
#   b. a deliberately weak container, created the way people do (--cap-add SYS_ADMIN,
#      seccomp=unconfined, --user 0, a --uidmap user namespace), so podman writes its config;
#   c. hardrun check: what is wrong with it;  d. hardrun harden --dry-run: what hardening changes;
#   e. the hardened config run under plain runc, a probe reporting from the inside;
#   f. a container hardening cannot fix (--pid host) is refused.
#
# Profile: contrib/demo-profile.json (strict, with an explicit host id allocation 100000+65536
# instead of /etc/subuid, so the demo edits no host files). The containers use --network none,
# so podman does not touch the host's network either.
#
# Needs root, podman (with conmon), runc, jq, busybox-static and a built hardrun:
# HARDRUN_BIN (default: <repo>/build/launcher/hardrun). Exits non-zero unless every step
# behaves as shown and the probe sees every hardening in effect; the last line is "demo: OK".
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
HARDRUN_BIN=${HARDRUN_BIN:-$REPO/build/launcher/hardrun}
[[ $HARDRUN_BIN == /* || $HARDRUN_BIN != */* ]] || HARDRUN_BIN=$PWD/$HARDRUN_BIN
IMAGE=localhost/hardrun-demo:1
BUSYBOX=/bin/busybox
# Host id the demo profile maps container id 0 to.
HOST_ID=100000

die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (rootful podman and runc): sudo $0"
for tool in podman conmon runc jq tar timeout; do
  command -v "$tool" >/dev/null 2>&1 \
    || die "$tool is not installed (Debian: apt-get install podman conmon runc jq busybox-static)"
done
if [[ ! -x $BUSYBOX ]] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
  die "$BUSYBOX is missing (Debian: apt-get install busybox-static)"
fi
[[ -x $HARDRUN_BIN ]] \
  || die "no hardrun binary at $HARDRUN_BIN (build it: cmake -S $REPO -B $REPO/build && cmake --build $REPO/build, or set HARDRUN_BIN)"
for lib in bundle podman; do
  [[ -r $REPO/tests/integration/lib/$lib.sh ]] || die "$REPO/tests/integration/lib/$lib.sh is missing"
done

# make_template, make_mountpoints, prepare, random_hex, probe_value, check_probe.
# shellcheck source-path=SCRIPTDIR source=../tests/integration/lib/bundle.sh
source "$REPO/tests/integration/lib/bundle.sh"
# private_podman_init, pm, private_podman_teardown: podman never uses the host's storage, run
# root, tmpdir, networks or hooks.
# shellcheck source-path=SCRIPTDIR source=../tests/integration/lib/podman.sh
source "$REPO/tests/integration/lib/podman.sh"

# Commands run from the repository root, so that the relative paths shown are the real ones.
cd -- "$REPO"
PROFILE=contrib/demo-profile.json
[[ -r $PROFILE ]] || die "$REPO/$PROFILE is missing"
HARDRUN=$HARDRUN_BIN
[[ $HARDRUN_BIN == "$REPO"/* ]] && HARDRUN=${HARDRUN_BIN#"$REPO"/}

private_podman_init "$(mktemp -d "${TMPDIR:-/tmp}/hardrun-demo.XXXXXX")"
W=$PODMAN_DIR
# The hardened container's root is an unmapped host id: it must traverse to its bundle.
chmod 0711 "$W"
mkdir -m 0700 -- "$W/runc"
PODMAN_IDS=()
RUNC_IDS=()
IMAGE_IMPORTED=0

cleanup() {
  local rc=$? id
  trap - EXIT INT TERM HUP
  set +e
  for id in ${RUNC_IDS[@]+"${RUNC_IDS[@]}"}; do
    runc --root "$W/runc" delete -f "$id" >/dev/null 2>&1
  done
  for id in ${PODMAN_IDS[@]+"${PODMAN_IDS[@]}"}; do
    pm rm --force --time 0 -- "$id" >/dev/null 2>&1
  done
  ((IMAGE_IMPORTED)) && pm rmi --force -- "$IMAGE" >/dev/null 2>&1
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

# Runs hardrun, shown; fails the demo unless it exits WANT.
hardrun() { # want args...
  local want=$1 rc=0
  shift
  show "$HARDRUN" "$@"
  "$HARDRUN_BIN" "$@" || rc=$?
  ((rc == want)) || die "hardrun $1 exited $rc, expected $want"
  ((want == 0)) || printf '(exit %d, as expected)\n' "$rc"
}

# Creates a container in the private storage with the flags shown, runs podman init so podman
# writes the final config.json, and sets USERDATA to the directory holding it.
create_and_init() { # podman-create-flags...
  local id
  show podman create --runtime runc "$@" "$IMAGE"
  id=$(pm create --runtime runc "$@" "$IMAGE") || die "podman create failed"
  id=${id##*$'\n'}
  PODMAN_IDS+=("$id")
  show podman init "${id:0:12}"
  pm init -- "$id" >/dev/null || die "podman init failed"
  USERDATA=$W/storage/overlay-containers/$id/userdata
  [[ -s $USERDATA/config.json ]] || die "podman wrote no $USERDATA/config.json"
  printf 'podman wrote %s/config.json\n' "$USERDATA"
}

# Rootful podman asks for nofile and nproc limits of 1048576, which runc can only grant with
# CAP_SYS_RESOURCE; root inside a container (this shell) may lack it: then ask for 1024.
ULIMITS=()
CAPEFF=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if (((16#$CAPEFF >> 24 & 1) == 0)); then
  ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
fi

step "a. private podman storage in $W"
printf '(below, "podman" means: podman %s)\n' "${PODMAN_FLAGS[*]}"
((${#ULIMITS[@]} == 0)) || printf '(no CAP_SYS_RESOURCE here: podman gets %s)\n' "${ULIMITS[*]}"

step "b. a busybox image (built offline) and a deliberately weak container"
make_template "$W/image" "$BUSYBOX"
tar --numeric-owner --owner=0 --group=0 -C "$W/image" -cf "$W/image.tar" .
IMPORT=(import --quiet --change 'CMD ["/bin/sh","/hardrun-probe"]' --change 'ENV PATH=/bin'
  "$W/image.tar" "$IMAGE")
show podman "${IMPORT[@]}"
IMAGE_IMPORTED=1
pm "${IMPORT[@]}" >/dev/null || die "podman import failed"
create_and_init ${ULIMITS[@]+"${ULIMITS[@]}"} --network none --cap-add SYS_ADMIN --security-opt seccomp=unconfined --user 0 \
  --uidmap 0:100000:65536 --gidmap 0:100000:65536
WEAK=$USERDATA

step "c. what is wrong with it"
hardrun 1 check --policy "$PROFILE" --bundle "$WEAK"

step "d. what hardening would change, modifier by modifier"
hardrun 0 harden --dry-run --policy "$PROFILE" --bundle "$WEAK"

step "e. harden it for real and run it with runc"
B=$W/bundle
mkdir -m 0711 -- "$B"
cp -a -- "$W/image" "$B/rootfs"
CGROUP=/hardrun-demo-$(random_hex 6)
# Outside podman: the bundle's rootfs, the probe as process, no binds of podman's userdata
# files, a fresh network namespace, a cgroup of our own; nothing security-relevant changes.
printf '+ prepare %s/config.json %s/prepared.json   # standalone copy (tests/integration/lib/bundle.sh)\n' \
  "$WEAK" "$W"
prepare "$WEAK/config.json" "$W/prepared.json" "$B/rootfs" "$CGROUP" \
  "^$(printf '%s' "$W" | sed 's/[][\.*^$+?(){}|]/\\&/g')/" || die "could not prepare $WEAK/config.json"
hardrun 0 harden --policy "$PROFILE" --in "$W/prepared.json" --out "$B/config.json"
hardrun 0 check --policy "$PROFILE" --bundle "$B"
make_mountpoints "$B/config.json" "$B/rootfs"
RUNC_ID=hardrun-demo-$(random_hex 4)
RUNC_IDS+=("$RUNC_ID")
show runc --root "$W/runc" run --bundle "$B" "$RUNC_ID"
rc=0
timeout --kill-after=10 60 runc --root "$W/runc" run --bundle "$B" "$RUNC_ID" \
  </dev/null >"$W/probe.out" 2>"$W/runc.err" || rc=$?
if ((rc != 0)); then
  sed 's/^/  /' "$W/runc.err" >&2
  die "runc run exited $rc"
fi
pv() { probe_value "$W/probe.out" "$1"; }
err=$(pv rootfs_write_error)
printf 'the probe inside the container reports:\n'
printf '  uid=%s gid=%s           (podman config: --user 0)\n' "$(pv uid)" "$(pv gid)"
printf '  CapEff=%s CapBnd=%s   (podman config: + SYS_ADMIN)\n' "$(pv capeff)" "$(pv capbnd)"
printf '  NoNewPrivs=%s Seccomp=%s             (2 = filter; podman config: unconfined)\n' \
  "$(pv nonewprivs)" "$(pv seccomp)"
printf '  uid_map=%s gid_map=%s   (container id 0 is host id %s)\n' "$(pv uid_map)" "$(pv gid_map)" "$HOST_ID"
printf '  touch / -> %s\n' "${err##*: }"
[[ $(pv tmp_write) == ok ]] && printf '  /tmp writable (%s, mode %s)\n' "$(pv tmp_mount | sed 's/.* - \([^ ]*\) .*/\1/')" "$(pv tmp_stat | cut -d' ' -f1)"
if ! problem=$(check_probe "$W/probe.out" "$B/config.json" "$HOST_ID"); then
  sed 's/^/  probe: /' "$W/probe.out" >&2
  die "hardening missing inside the container: $problem"
fi

step "f. what hardening cannot fix is refused, however careful the rest"
create_and_init ${ULIMITS[@]+"${ULIMITS[@]}"} --network none --pid host --read-only --cap-drop ALL \
  --security-opt no-new-privileges --user 10001:10001 --pids-limit 512
hardrun 1 check --policy "$PROFILE" --bundle "$USERDATA"
hardrun 1 harden --policy "$PROFILE" --bundle "$USERDATA"

printf '\ndemo: OK\n'
