#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# End to end under real systemd (issue 5): a Debian trixie root with systemd, podman 5 and
# quadlet (tests/lib/debroot.sh: mmdebstrap from the machine's own mirror, cached under
# /var/cache/hardrun/debroot) is imported into a private podman store and booted as a privileged
# container with systemd as PID 1 (reference/e2e-systemd.md: runc, explicit ulimits, no network
# but its own loopback). The freshly built hardrun, hardrun-runtime and hardrun-hook, the shipped
# profiles and the test scripts are bind-mounted read-only at /e2e; tests/e2e/inner.sh installs
# them inside and runs the checks (TAP on stdout) against a registry on the container's
# 127.0.0.1.
#
# Needs root, podman, runc, mmdebstrap (and the mirror), tar; exit 77 (skip) otherwise unless
# HARDRUN_TEST_MUST_WORK=1. Removes the container, the image, the private store and its tmpfs on
# exit, also on failure. Prints the time of each stage (root: cold = mmdebstrap, warm = cache).
# Environment: HARDRUN_BIN, HARDRUN_RUNTIME, HARDRUN_HOOK (built programs), HARDRUN_SOURCE_DIR,
# HARDRUN_DEBROOT_CACHE (see debroot.sh), E2E_KEEP=1 (leave the container running, for debugging:
# the script prints how to enter and remove it).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
HARDRUN_RUNTIME=${HARDRUN_RUNTIME:-$(dirname "$HARDRUN_BIN")/hardrun-runtime}
HARDRUN_HOOK=${HARDRUN_HOOK:-$(dirname "$HARDRUN_BIN")/../hook/hardrun-hook}
T=e2e_systemd
# The root: systemd and podman 5 with quadlet, the tools the checks use, and the shared libraries
# the bookworm-built hardrun programs link (trixie names; librnp0 is dlopened for GPG keys;
# libarchive for hardrun audit --image).
PACKAGES=systemd,systemd-sysv,dbus,podman,runc,crun,uidmap,iproute2,skopeo,gnupg,docker-registry,busybox-static,jq,procps,libssl3t64,libseccomp2,libcap-ng0,libsystemd0,libyaml-0-2,librnp0,libstdc++6,libarchive13t64

skip() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "$T: FAIL: cannot run: $1 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "$T: SKIP: $1"
  exit 77
}
die() {
  echo "$T: FAIL: $1" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || skip "needs root (a privileged container with systemd as PID 1)"
for c in podman runc mmdebstrap tar sha256sum flock mount; do
  command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (contrib/dev.sh deps)"
done
for b in "$HARDRUN_BIN" "$HARDRUN_RUNTIME" "$HARDRUN_HOOK"; do
  [[ -x $b ]] || skip "$b is not built"
done
# The programs look for hardrun.json, the hook and the shipped profiles where the build's install
# directories say (GNUInstallDirs, as CMakeLists.txt compiles them in): read them from its cache.
CACHE_FILE=$(cd "$(dirname "$HARDRUN_BIN")/.." && pwd)/CMakeCache.txt
cache_var() { sed -n "s/^$1:[A-Z]*=//p" "$CACHE_FILE" 2>/dev/null | head -n 1; }
PREFIX=$(cache_var CMAKE_INSTALL_PREFIX)
[[ $PREFIX == /* ]] || die "cannot read CMAKE_INSTALL_PREFIX from $CACHE_FILE (HARDRUN_BIN=$HARDRUN_BIN)"
install_dir() { # name default
  local v
  v=$(cache_var "CMAKE_INSTALL_$1")
  v=${v:-$2}
  if [[ $v == /* ]]; then
    printf '%s\n' "$v"
  elif [[ $1 == SYSCONFDIR && $PREFIX == /usr && $v == etc ]]; then
    printf '/etc\n' # GNUInstallDirs' special case for the /usr prefix
  else
    printf '%s/%s\n' "${PREFIX%/}" "$v"
  fi
}
SYSCONFDIR=$(install_dir SYSCONFDIR etc)
LIBEXECDIR=$(install_dir LIBEXECDIR libexec)
DATADIR=$(install_dir DATADIR share)

# shellcheck source=../lib/debroot.sh
source "$HARDRUN_SOURCE_DIR/tests/lib/debroot.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"

START=$SECONDS
echo "# trixie root ($PACKAGES)"
ROOT_STATE="cold: mmdebstrap"
KEY=$(debroot_key trixie minbase "$PACKAGES") || skip "cannot find the Debian mirror (see the debroot line above)"
[[ -s ${HARDRUN_DEBROOT_CACHE:-/var/cache/hardrun/debroot}/$KEY.tar ]] && ROOT_STATE="warm: cached"
T_ROOT=$SECONDS
if ! ROOT_TAR=$(debroot trixie minbase "$PACKAGES"); then
  skip "cannot build the trixie root with mmdebstrap (see the debroot line above)"
fi
T_ROOT=$((SECONDS - T_ROOT))

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/hardrun-e2e.XXXXXXXXXX")
chmod 0711 "$WORK"
mkdir -p "$WORK/podman/runroot" "$WORK/stage"
CTR=hardrun-e2e-$$
IMAGE=localhost/hardrun-e2e-trixie:$$
cleanup() {
  local rc=$?
  set +e
  if [[ ${E2E_KEEP:-0} == 1 ]]; then
    echo "# kept: podman ${PODMAN_FLAGS[*]} exec -it $CTR bash; remove: podman ${PODMAN_FLAGS[*]} rm -f $CTR, then umount and rm -rf $WORK"
    exit "$rc"
  fi
  if [[ -n ${PODMAN_DIR:-} ]]; then
    pm rm --force --time 0 "$CTR" >/dev/null 2>&1
    # systemd inside made cgroups below the container's (cgroupfs manager); runc removes only its
    # own directory, so remove the now empty tree of this container id, deepest first.
    if [[ ${CTR_ID:-} =~ ^[0-9a-f]{64}$ ]]; then
      find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "libpod-$CTR_ID" -print0 2>/dev/null |
        xargs -0 -r -I{} find {} -depth -type d -exec rmdir {} \; 2>/dev/null
    fi
    pm rmi --force "$IMAGE" >/dev/null 2>&1
    private_podman_teardown || echo "$T: WARNING: could not remove $PODMAN_DIR" >&2
  fi
  rm -rf --one-file-system -- "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The run root (locks, conmon sockets, the container's runtime state) on a tmpfs of our own.
mount -t tmpfs -o size=64m,mode=0700 hardrun-e2e "$WORK/podman/runroot" || die "cannot mount a tmpfs on $WORK/podman/runroot"
private_podman_init "$WORK/podman" || die "cannot set up a private podman in $WORK/podman"

# What the container sees at /e2e (read-only).
S=$WORK/stage
mkdir -p "$S/bin" "$S/lib" "$S/e2e"
cp -- "$HARDRUN_BIN" "$S/bin/hardrun"
cp -- "$HARDRUN_RUNTIME" "$S/bin/hardrun-runtime"
cp -- "$HARDRUN_HOOK" "$S/bin/hardrun-hook"
cp -r -- "$HARDRUN_SOURCE_DIR/policies" "$S/policies"
cp -- "$SCRIPT_DIR"/lib/{tap,bundle,registry}.sh "$S/lib/"
cp -r -- "$HARDRUN_SOURCE_DIR/tests/e2e/." "$S/e2e/"
if [[ -d $HARDRUN_SOURCE_DIR/contrib/systemd ]]; then cp -r -- "$HARDRUN_SOURCE_DIR/contrib/systemd" "$S/systemd"; fi
printf 'SYSCONFDIR=%q\nLIBEXECDIR=%q\nDATADIR=%q\n' "$SYSCONFDIR" "$LIBEXECDIR" "$DATADIR" >"$S/dirs"
chmod -R go+rX "$S"

T_IMPORT=$SECONDS
pm import --quiet "$ROOT_TAR" "$IMAGE" >/dev/null || die "podman import of $ROOT_TAR failed"
T_IMPORT=$((SECONDS - T_IMPORT))

T_BOOT=$SECONDS
# What --systemd=always would set up, by hand (tmpfs /run /tmp, container=, the stop signal): on a
# cgroup v1 (hybrid) host, --systemd=always also mounts the name=systemd hierarchy from outside
# the container's cgroup namespace (mountinfo root "/../.."), so /proc/self/cgroup inside reads
# "name=systemd:/../../system.slice/X". podman inside then cannot find its own cgroup: with
# --cgroups=split it fails ("mkdir /sys/fs/user.slice"), otherwise it moves itself into a
# podman-PID.scope, out of the unit, and systemd drops the READY=1 that Notify=healthy sends from
# there: the unit never becomes active. --privileged alone mounts that hierarchy at the
# namespace's root.
pm run -d --name "$CTR" --runtime runc --network none \
  --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --privileged --systemd=false --cgroupns=private \
  --tmpfs /run:rw,nosuid,nodev,mode=0755 --tmpfs /run/lock:rw,nosuid,nodev,noexec --tmpfs /tmp:rw,nosuid,nodev \
  --env container=podman --stop-signal RTMIN+3 \
  --volume "$S:/e2e:ro" "$IMAGE" /lib/systemd/systemd >/dev/null || die "podman run of the systemd container failed"
CTR_ID=$(pm inspect --format '{{.Id}}' "$CTR")
state=
for ((i = 0; i < 240; i++)); do
  state=$(pm exec "$CTR" systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] && break
  sleep 0.5
done
if [[ $state != running && $state != degraded ]]; then
  pm logs "$CTR" 2>&1 | tail -n 30 | sed 's/^/# /'
  pm exec "$CTR" systemctl --failed --no-pager 2>&1 | sed 's/^/# /'
  die "systemd in the container did not finish booting in 120 s (is-system-running: '${state}')"
fi
T_BOOT=$((SECONDS - T_BOOT))
echo "# booted: systemd $state; $(pm exec "$CTR" podman --version)"

T_INNER=$SECONDS
rc=0
pm exec "$CTR" bash /e2e/e2e/inner.sh || rc=$?
T_INNER=$((SECONDS - T_INNER))
echo "# timing: root ${T_ROOT}s ($ROOT_STATE), import ${T_IMPORT}s, boot ${T_BOOT}s, checks ${T_INNER}s, total $((SECONDS - START))s"
exit "$rc"
