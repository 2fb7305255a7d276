# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# A private rootful podman instance kept entirely in one scratch directory (storage, run root,
# tmpdir, volumes, network config dir, hooks dir), so that the host's default storage, networks
# and hooks are never used; sourced by tests/golden/capture.sh, contrib/demo.sh and tests that
# run real podman:
#
#   private_podman_init DIR   use DIR (an existing directory) for a private podman
#   pm ARGS...                podman with the private flags
#   scratch_mounts            the mount points at or below the scratch dir, deepest first
#   scratch_procs_alive       whether a process still uses the scratch dir
#   private_podman_teardown   wait for those processes, unmount, delete the scratch dir
#   private_podman_conf       point plain `podman` (and `hardrun run`) at the private instance
#
# Globals, set by private_podman_init: PODMAN_DIR (the scratch dir, a physical absolute path)
# and PODMAN_FLAGS (the podman global flags). The caller removes its own containers and images
# (with pm) before private_podman_teardown, typically from its EXIT trap.
# Defines functions only; sets no options and no variables.

# Sets PODMAN_DIR to DIR (resolved, physical) and PODMAN_FLAGS to podman flags that keep
# everything below it, and creates the sub-directories podman does not create itself.
private_podman_init() { # dir
  local dir
  dir=$(cd -- "$1" && pwd -P) || return 1
  PODMAN_DIR=$dir
  PODMAN_FLAGS=(--root "$dir/storage" --runroot "$dir/runroot" --storage-driver overlay
    --tmpdir "$dir/tmp" --volumepath "$dir/volumes" --network-config-dir "$dir/networks"
    --hooks-dir "$dir/hooks" --cgroup-manager cgroupfs --events-backend file)
  mkdir -p -- "$dir/hooks" "$dir/networks" "$dir/volumes" "$dir/tmp"
}

# Runs podman on the private instance; refuses (never falls back to the host's storage) before
# private_podman_init.
pm() { # podman-args...
  if [[ -z ${PODMAN_DIR:-} ]]; then
    printf '%s: pm: private_podman_init was not called\n' "${0##*/}" >&2
    return 1
  fi
  podman "${PODMAN_FLAGS[@]}" "$@"
}

# Prints the mount points at or below PODMAN_DIR, deepest first.
scratch_mounts() {
  local mp
  [[ -n ${PODMAN_DIR:-} ]] || return 0
  while read -r _ _ _ _ mp _; do
    mp=$(printf '%b' "$mp") # unescape \040 etc.
    if [[ $mp == "$PODMAN_DIR" || $mp == "$PODMAN_DIR"/* ]]; then
      printf '%s\n' "$mp"
    fi
  done </proc/self/mountinfo | sort -r
}

# Succeeds if a process other than this shell mentions PODMAN_DIR on its command line (conmon,
# podman's exit command, runc init).
scratch_procs_alive() {
  local f
  [[ -n ${PODMAN_DIR:-} ]] || return 1
  for f in /proc/[0-9]*/cmdline; do
    [[ $f == "/proc/$$/cmdline" || $f == "/proc/$BASHPID/cmdline" ]] && continue
    if tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "$PODMAN_DIR"; then
      return 0
    fi
  done
  return 1
}

# Waits (at most ~20 s) for the processes using PODMAN_DIR, unmounts what is mounted below it
# (deepest first, lazily if need be) and deletes it (rm -rf --one-file-system) only if no mount
# remains; otherwise warns on stderr and fails.
private_podman_teardown() {
  local mp i
  [[ -n ${PODMAN_DIR:-} && -d $PODMAN_DIR ]] || return 0
  for ((i = 0; i < 40; i++)); do
    scratch_procs_alive || break
    sleep 0.5
  done
  while read -r mp; do
    if [[ -n $mp ]]; then umount -- "$mp" 2>/dev/null || true; fi
  done < <(scratch_mounts)
  while read -r mp; do
    if [[ -n $mp ]]; then umount --lazy -- "$mp" 2>/dev/null || true; fi
  done < <(scratch_mounts)
  if [[ -n $(scratch_mounts) ]]; then
    printf '%s: WARNING: mounts remain below %s; not deleting it:\n' "${0##*/}" "$PODMAN_DIR" >&2
    scratch_mounts >&2
    return 1
  fi
  rm -rf --one-file-system -- "$PODMAN_DIR"
}

# Writes $PODMAN_DIR/storage.conf and containers.conf for the private instance and exports
# CONTAINERS_STORAGE_CONF and CONTAINERS_CONF, the way an admin points podman elsewhere, so that
# commands which run podman themselves (hardrun run) use it too. Rootful podman asks for nofile/
# nproc limits that need CAP_SYS_RESOURCE, which root inside a container may lack: 1024 each.
private_podman_conf() {
  [[ -n ${PODMAN_DIR:-} ]] || return 1
  printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/storage"\nrunroot = "%s/runroot"\n' \
    "$PODMAN_DIR" "$PODMAN_DIR" >"$PODMAN_DIR/storage.conf"
  printf '%s\n' '[containers]' 'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]' '[engine]' \
    'cgroup_manager = "cgroupfs"' 'events_logger = "file"' "tmp_dir = \"$PODMAN_DIR/tmp\"" \
    "volume_path = \"$PODMAN_DIR/volumes\"" "hooks_dir = [\"$PODMAN_DIR/hooks\"]" '[network]' \
    "network_config_dir = \"$PODMAN_DIR/networks\"" >"$PODMAN_DIR/containers.conf"
  export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf CONTAINERS_CONF=$PODMAN_DIR/containers.conf
}
