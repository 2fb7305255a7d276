#!/usr/bin/env bash
# Capture real OCI config.json files written by podman (rootful, runc) as
# golden-test inputs: <outdir>/<case>.in.json.
#
# Usage: capture.sh [OUTDIR]     (default OUTDIR: the directory of this script)
#
# Everything happens in a private scratch directory (mktemp -d) with private
# podman storage, run root, tmpdir, network config dir and hooks dir; the host's
# default podman storage is never used.  Only containers/images created by this
# script are removed, and the scratch directory is deleted on exit.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
OUTDIR=${1:-$SCRIPT_DIR}
IMAGE=localhost/hardrun-capture:1

die() { printf 'capture.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'capture.sh: %s\n' "$*" >&2; }

[[ $EUID -eq 0 ]] || die "must run as root (rootful podman configs are captured)"
for tool in podman runc conmon tar; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done
[[ -x /bin/busybox ]] || die "/bin/busybox not found (apt-get install busybox-static)"
/bin/busybox --list >/dev/null 2>&1 || die "/bin/busybox --list failed"
mkdir -p -- "$OUTDIR"
OUTDIR=$(cd -- "$OUTDIR" && pwd -P)

# private_podman_init, pm, private_podman_teardown.
# shellcheck source-path=SCRIPTDIR source=../integration/lib/podman.sh
source "$SCRIPT_DIR/../integration/lib/podman.sh"

CREATED_IDS=()
IMAGE_IMPORTED=0
# mktemp -d: tests/integration/lib/bundle.sh's prepare drops binds from below /tmp/tmp.*.
private_podman_init "$(mktemp -d)"
W=$PODMAN_DIR

cleanup() {
    local rc=$? id
    trap - EXIT INT TERM HUP
    set +e
    if [[ -d $W/storage ]]; then
        for id in "${CREATED_IDS[@]}"; do
            pm rm --force --time 0 -- "$id" >/dev/null 2>&1
        done
        if [[ $IMAGE_IMPORTED -eq 1 ]]; then
            pm rmi --force -- "$IMAGE" >/dev/null 2>&1
        fi
    fi
    private_podman_teardown
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- image ----
log "building busybox rootfs in $W/rootfs"
R=$W/rootfs
mkdir -p -- "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/run" "$R/etc"
chmod 1777 "$R/tmp"
cp -- /bin/busybox "$R/bin/busybox"
chmod 0755 "$R/bin/busybox"
while read -r applet; do
    [[ -z $applet || $applet == busybox ]] && continue
    ln -s busybox "$R/bin/$applet"
done < <(/bin/busybox --list)
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'svc:x:10001:10001::/:/bin/sh' >"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'svc:x:10001:' >"$R/etc/group"
chmod 0644 "$R/etc/passwd" "$R/etc/group"
tar --numeric-owner --owner=0 --group=0 -C "$R" -cf "$W/rootfs.tar" .

log "importing $IMAGE into private storage"
IMAGE_IMPORTED=1
pm import --quiet \
    --change 'CMD ["/bin/sh"]' \
    --change 'ENV PATH=/bin' \
    "$W/rootfs.tar" "$IMAGE" >/dev/null

# ---------------------------------------------------------------- cases ----
FAILED=()
OK=()

run_case() {
    local name=$1 id cfg out
    shift
    # CAPTURE_ONLY="case1 case2" recaptures just those (others keep their files and golden results).
    if [[ -n "${CAPTURE_ONLY:-}" && " $CAPTURE_ONLY " != *" $name "* ]]; then
        return 0
    fi
    log "case $name: podman create $*"
    if ! id=$(pm create --runtime runc \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        "$@" "$IMAGE" /bin/true 2>"$W/err"); then
        log "FAILED case $name: podman create failed:"
        sed 's/^/    /' "$W/err" >&2
        FAILED+=("$name")
        return 0
    fi
    id=${id##*$'\n'}
    CREATED_IDS+=("$id")
    if ! pm init -- "$id" >/dev/null 2>"$W/err"; then
        log "FAILED case $name: podman init failed:"
        sed 's/^/    /' "$W/err" >&2
        FAILED+=("$name")
    else
        cfg=$W/storage/overlay-containers/$id/userdata/config.json
        out=$OUTDIR/$name.in.json
        if [[ ! -s $cfg ]]; then
            log "FAILED case $name: $cfg missing or empty"
            FAILED+=("$name")
        elif command -v jq >/dev/null 2>&1 && ! jq empty "$cfg" 2>"$W/err"; then
            log "FAILED case $name: config.json is not valid JSON:"
            sed 's/^/    /' "$W/err" >&2
            FAILED+=("$name")
        else
            cp -- "$cfg" "$out.tmp"
            chmod 0644 "$out.tmp"
            mv -f -- "$out.tmp" "$out"
            OK+=("$name")
        fi
    fi
    if ! pm rm --force --time 0 -- "$id" >/dev/null 2>"$W/err"; then
        log "WARNING case $name: podman rm $id failed (retried at exit):"
        sed 's/^/    /' "$W/err" >&2
    fi
    return 0
}

UIDMAP=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)

run_case default
run_case privileged --privileged
run_case cap-add-sys-admin --cap-add SYS_ADMIN
run_case pid-host --pid host
run_case network-host --network host
run_case network-none --network none
run_case ipc-host --ipc host
run_case uts-host --uts host
run_case bind-etc -v /etc:/etc
if [[ -d /run/podman ]]; then
    run_case bind-podman-sock -v /run/podman:/run/podman
else
    run_case bind-run -v /run:/run/host-run
fi
run_case seccomp-unconfined --security-opt seccomp=unconfined
run_case user-root --user 0
run_case userns-host --userns host
run_case uidmap "${UIDMAP[@]}"
run_case uidmap-netnone "${UIDMAP[@]}" --network none
if [[ -e /dev/fuse ]]; then
    run_case device-fuse --device /dev/fuse
else
    run_case device-fuse --device /dev/null
fi
run_case group-add-root --user 1000:1000 --group-add 0
run_case already-hardened --read-only --cap-drop ALL \
    --security-opt no-new-privileges --user 1000:1000 "${UIDMAP[@]}" --network none
run_case tmpfs-data --tmpfs /data
# The flags users pass, with a user namespace created by podman: how hardrun run starts them.
run_case cap-add-sys-admin-userns --cap-add SYS_ADMIN "${UIDMAP[@]}"
run_case seccomp-unconfined-userns --security-opt seccomp=unconfined "${UIDMAP[@]}"
run_case user-root-userns --user 0 "${UIDMAP[@]}"
run_case group-add-root-userns --user 1000:1000 --group-add 0 "${UIDMAP[@]}"
run_case tmpfs-data-userns --tmpfs /data "${UIDMAP[@]}"
run_case privileged-userns --privileged "${UIDMAP[@]}"
run_case bind-etc-userns -v /etc:/etc "${UIDMAP[@]}"

log "wrote ${#OK[@]} file(s) to $OUTDIR"
if ((${#FAILED[@]} > 0)); then
    log "FAILED cases (${#FAILED[@]}): ${FAILED[*]}"
    exit 1
fi
