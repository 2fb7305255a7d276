# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# Helpers to run a captured podman config.json under plain runc, sourced by
# tests/integration/runc_smoke.sh and contrib/demo.sh:
#
#   make_template DIR BUSYBOX         a busybox-static rootfs with the probe /hardrun-probe
#   make_mountpoints CONFIG ROOTFS    the mount points the image would have
#   prepare IN OUT ROOTFS CGROUP [RE] make a captured config runnable standalone
#   random_hex BYTES                  random lowercase hex
#   probe_value OUTPUT KEY            one key=value line of the probe's output
#   check_probe OUTPUT CONFIG HOSTID  the probe's view against the hardened config
#
# Needs jq. Defines functions only; sets no options and no variables.

# Builds a busybox-static rootfs in DIR (created if needed); it stays owned by host root (nobody
# in a user-namespaced container): directories 0755, files world-readable, meant to be mounted
# read-only. /hardrun-probe prints key=value lines about the confinement of the process running
# it (see probe_value and check_probe).
make_template() { # dir busybox
  local dir=$1 busybox=$2 applet
  mkdir -p "$dir/bin"
  cp "$busybox" "$dir/bin/busybox"
  chmod 0755 "$dir/bin/busybox"
  while IFS= read -r applet; do
    [[ -n $applet && $applet != busybox && ! -e $dir/bin/$applet ]] || continue
    ln -s busybox "$dir/bin/$applet"
  done < <("$busybox" --list)
  mkdir -p "$dir"/{proc,sys,dev,tmp,run,etc}
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'svc:x:10001:10001:svc:/tmp:/bin/sh' >"$dir/etc/passwd"
  printf '%s\n' 'root:x:0:' 'svc:x:10001:' >"$dir/etc/group"
  cat >"$dir/hardrun-probe" <<'PROBE'
#!/bin/sh
# Prints key=value lines about the process's own confinement.
while read -r key value _; do
  case "$key" in
    CapInh:) echo "capinh=$value" ;;
    CapPrm:) echo "capprm=$value" ;;
    CapEff:) echo "capeff=$value" ;;
    CapBnd:) echo "capbnd=$value" ;;
    CapAmb:) echo "capamb=$value" ;;
    NoNewPrivs:) echo "nonewprivs=$value" ;;
    Seccomp:) echo "seccomp=$value" ;;
  esac
done </proc/self/status
echo "uid=$(id -u)"
echo "gid=$(id -g)"
read -r inside outside count </proc/self/uid_map
echo "uid_map=$inside $outside $count"
read -r inside outside count </proc/self/gid_map
echo "gid_map=$inside $outside $count"
if err=$(touch /rootfs-write-test 2>&1); then echo "rootfs_write=ok"; else echo "rootfs_write=denied"; fi
echo "rootfs_write_error=$err"
if err=$(touch /tmp/x 2>&1); then echo "tmp_write=ok"; else echo "tmp_write=denied"; fi
echo "tmp_write_error=$err"
echo "tmp_stat=$(stat -c '%a %u:%g %m' /tmp 2>&1)"
grep ' /tmp ' /proc/self/mountinfo | sed 's/^/tmp_mount=/'
echo "probe=done"
PROBE
  chmod 0755 "$dir/hardrun-probe"
  chmod -R u=rwX,go=rX "$dir"
  # runc gives a tmpfs the mode of the directory it covers: /tmp is 1777 as in any image.
  chmod 1777 "$dir/tmp"
}

# Creates the mount points the image would have: the rootfs is read-only and owned by host
# root, so runc (as the container's root) cannot create them.
make_mountpoints() { # config rootfs
  local dest type source
  while IFS=$'\t' read -r dest type source; do
    [[ $dest == /* && $dest != *..* && ! -e $2$dest && ! -L $2$dest ]] || continue
    if [[ ($type == bind || $type == none) && -e $source && ! -d $source ]]; then
      mkdir -p "$(dirname "$2$dest")"
      touch "$2$dest"
    else
      mkdir -p "$2$dest"
    fi
  done < <(jq -r '.mounts // [] | .[] | [.destination, (.type // "none"), (.source // "")] | @tsv' "$1")
  chmod -R u=rwX,go=rX "$2"
  chmod 1777 "$2/tmp"
}

# Makes a captured config runnable outside podman without weakening it: the bundle's rootfs, the
# probe as the process, no terminal, a fresh network namespace (the captured /run/netns file is
# gone), no hooks, no binds of podman's userdata files (mounts whose source matches the jq regex
# drop-re; default: below a mktemp -d directory, where tests/golden/capture.sh kept podman's
# storage), a cgroup of our own.
prepare() { # in out rootfs cgroups-path [drop-re]
  jq --arg rootfs "$3" --arg cg "$4" --arg drop "${5:-^/tmp/tmp\\.[^/]+/}" '
    .root.path = $rootfs
    | .process.args = ["/bin/sh", "/hardrun-probe"]
    | .process.terminal = false
    | del(.hooks)
    | if (.linux.namespaces | type) == "array"
      then .linux.namespaces |= map(if .type == "network" then del(.path) else . end) else . end
    | if (.mounts | type) == "array"
      then .mounts |= map(select(((.source // "") | test($drop)) | not)) else . end
    | .linux.cgroupsPath = $cg
  ' "$1" >"$2"
}

random_hex() { # bytes
  od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

probe_value() { # output-file key
  sed -n "s/^$2=//p" "$1" | head -n 1
}

# Checks the probe output against the hardened config (no capabilities, no_new_privs, seccomp
# filter mode, the config's non-zero uid, read-only root, writable /tmp, a user namespace mapping
# container ids to host id HOSTID); prints the first problem, if any.
check_probe() { # output-file config host-id
  local out=$1 config=$2 host_id=$3 want_uid v
  [[ $(probe_value "$out" probe) == "done" ]] || { echo "probe did not finish"; return 1; }
  for v in capinh capprm capeff capbnd capamb; do
    [[ $(probe_value "$out" "$v") == 0000000000000000 ]] || { echo "$v=$(probe_value "$out" "$v"), want 0000000000000000"; return 1; }
  done
  [[ $(probe_value "$out" nonewprivs) == 1 ]] || { echo "NoNewPrivs=$(probe_value "$out" nonewprivs), want 1"; return 1; }
  [[ $(probe_value "$out" seccomp) == 2 ]] || { echo "Seccomp=$(probe_value "$out" seccomp), want 2 (filter)"; return 1; }
  want_uid=$(jq -r '.process.user.uid' "$config")
  v=$(probe_value "$out" uid)
  [[ $v != 0 && $v == "$want_uid" ]] || { echo "uid=$v, want $want_uid (non-zero)"; return 1; }
  [[ $(probe_value "$out" rootfs_write) == denied ]] || { echo "touch /rootfs-write-test succeeded: root is writable"; return 1; }
  [[ $(probe_value "$out" tmp_write) == ok ]] || { echo "touch /tmp/x failed: /tmp is not writable"; return 1; }
  local map inside outside
  for map in uid_map gid_map; do
    v=$(probe_value "$out" "$map")
    read -r inside outside _ <<<"$v"
    [[ -n $inside && $inside != "$outside" && $outside == "$host_id" ]] \
      || { echo "$map \"$v\": want a non-identity mapping to host id $host_id"; return 1; }
  done
  return 0
}
