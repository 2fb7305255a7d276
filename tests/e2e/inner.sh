#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The e2e tier, inside the booted Debian trixie container (systemd as PID 1, podman 5, quadlet),
# started by tests/integration/e2e_systemd.sh with `podman exec`. /e2e is that script's staging
# directory, read-only: bin/ (hardrun, hardrun-runtime, hardrun-hook as built), policies/ (the
# shipped profiles), lib/ (the tiers' shell helpers), e2e/ (this directory), systemd/ (contrib/
# systemd, when present), dirs (SYSCONFDIR, LIBEXECDIR, DATADIR: where the binaries were built to
# look for hardrun.json, the hook and the profiles).
#
# Installs hardrun as an admin would (binaries, profiles, hardrun.json, install-hook, the shim as
# podman's default runtime, subordinate ids for the strict profile), then starts a docker-registry
# on 127.0.0.1 as a systemd unit, builds five versions of a busybox service image (v3's health
# check fails, v4 is never signed), pushes them with skopeo, GPG-signs v1-v3 and v5 into a file://
# lookaside, and trusts only that key for the registry (/etc/containers/policy.json). Then checks,
# in TAP: a hand-written hardened quadlet unit (the harness itself), and issue 5's flow with
# `hardrun quadlet`, `hardrun update`, `hardrun audit` and the hardrun-update timer. Each row
# says what it wanted and what it saw. Exit status: 0 when every row passed.
set -uo pipefail
export PODMAN_IGNORE_CGROUPSV1_WARNING=1 # the host may be cgroup v1 (hybrid); podman 5 warns each call

E2E=${E2E_STAGE:-/e2e}
# shellcheck source=/dev/null
source "$E2E/dirs"
T=e2e
# shellcheck source=../integration/lib/tap.sh
source "$E2E/lib/tap.sh"
# shellcheck source=../integration/lib/bundle.sh
source "$E2E/lib/bundle.sh"
# shellcheck source=../integration/lib/registry.sh
source "$E2E/lib/registry.sh"

die() {
  echo "$T: FAIL (inner setup): $*" >&2
  echo "Bail out! $*"
  exit 1
}

W=/var/lib/hardrun-e2e
rm -rf -- "$W"
mkdir -p -- "$W/out"
OUT=$W/out
# trixie's docker-registry package starts its own service on :5000; ours is a unit of the test's.
systemctl disable --now docker-registry.service >/dev/null 2>&1
REGISTRY=127.0.0.1:$(registry_free_port) || die "no free port on 127.0.0.1"
R=$REGISTRY
REPO=$R/e2e/svc
UNITDIR=/etc/containers/systemd

# --- install hardrun ----------------------------------------------------------------------------
install -m 0755 "$E2E/bin/hardrun" /usr/bin/hardrun
install -m 0755 "$E2E/bin/hardrun-runtime" /usr/bin/hardrun-runtime
missing=$(ldd /usr/bin/hardrun /usr/bin/hardrun-runtime "$E2E/bin/hardrun-hook" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | sort -u | tr '\n' ' ')
[[ -z $missing ]] || die "the trixie root lacks shared libraries the hardrun programs need: $missing- add their packages to PACKAGES in tests/integration/e2e_systemd.sh"
HOOK=$LIBEXECDIR/hardrun/hardrun-hook
CONFIG=$SYSCONFDIR/hardrun/hardrun.json
install -D -m 0755 "$E2E/bin/hardrun-hook" "$HOOK"
mkdir -p -- "$DATADIR/hardrun" "$SYSCONFDIR/hardrun"
rm -rf -- "$DATADIR/hardrun/policies"
cp -r -- "$E2E/policies" "$DATADIR/hardrun/policies"
# The strict profile maps containers into the "containers" ranges of /etc/subuid and /etc/subgid.
for f in /etc/subuid /etc/subgid; do
  grep -q '^containers:' "$f" 2>/dev/null || echo 'containers:200000:65536' >>"$f"
done
cat >"$CONFIG" <<JSON
{
  "hardrunConfig": 1,
  "mode": "enforce",
  "signaturePolicy": "/etc/containers/policy.json",
  "registriesDir": "/etc/containers/registries.d",
  "profile": "strict",
  "hookPath": "$HOOK",
  "hookDeadlineMs": 10000,
  "hookTimeoutSeconds": 15,
  "requireHook": true,
  "runtime": "/usr/sbin/runc",
  "secretsDir": "/run/hardrun/secrets"
}
JSON
mkdir -p /usr/share/containers/oci/hooks.d # podman reads it; nothing in trixie creates it
hardrun install-hook >"$OUT/install-hook.log" 2>&1 || { cat "$OUT/install-hook.log" >&2; die "hardrun install-hook failed"; }
# podman inside: vfs (no overlay on the outer overlay), the shim as the default runtime, limits the
# outer container allows. runc is the delegate (hardrun.json): crun fails on cgroup v1 hybrid hosts.
mkdir -p -- /etc/containers/containers.conf.d /etc/containers/registries.conf.d /etc/containers/registries.d "$UNITDIR"
printf '[storage]\ndriver = "vfs"\ngraphroot = "/var/lib/containers/storage"\nrunroot = "/run/containers/storage"\n' \
  >/etc/containers/storage.conf
cat >/etc/containers/containers.conf.d/90-hardrun-e2e.conf <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "hardrun"
[engine.runtimes]
hardrun = ["/usr/bin/hardrun-runtime"]
CONF
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" >/etc/containers/registries.conf.d/50-e2e.conf
# Quadlet runs podman with --cgroups=split, which podman 5 cannot set up when the machine is on
# cgroup v1 (hybrid) and this is a container ("mkdir /sys/fs/user.slice: operation not permitted").
# On such machines only, a quadlet drop-in for every .container unit selects --cgroups=enabled
# (the later flag wins); on cgroup v2, as on a Debian 13 host, units run exactly as written.
# The container has no network but its loopback and the root has no nftables, which podman's
# default bridge network needs: every unit gets Network=none (a drop-in for all .container units).
mkdir -p -- "$UNITDIR/container.d"
printf '[Container]\nNetwork=none\n' >"$UNITDIR/container.d/00-e2e-network.conf"
if [[ $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]]; then
  mkdir -p -- "$UNITDIR/container.d"
  printf '[Container]\nPodmanArgs=--cgroups=enabled\n' >"$UNITDIR/container.d/00-e2e-cgroup-v1.conf"
  echo "# cgroup v1 machine: quadlet units get PodmanArgs=--cgroups=enabled ($UNITDIR/container.d)"
fi
podman info --format '{{.Store.GraphDriverName}} {{.Host.OCIRuntime.Name}}' >"$OUT/podman-info" 2>&1 ||
  { cat "$OUT/podman-info" >&2; die "podman info fails inside the container"; }

# --- registry, keys, trust ----------------------------------------------------------------------
mkdir -p -- "$W/registry/data"
cat >"$W/registry/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $W/registry/data
  delete:
    enabled: true
http:
  addr: $R
YML
systemctl stop e2e-registry.service >/dev/null 2>&1
systemctl reset-failed e2e-registry.service >/dev/null 2>&1
systemd-run --quiet --unit e2e-registry --property Type=exec \
  /usr/bin/docker-registry serve "$W/registry/config.yml" || die "systemd-run docker-registry failed"
for ((i = 0; i < 100; i++)); do
  registry_ping && break
  sleep 0.1
done
registry_ping || { journalctl -u e2e-registry --no-pager | tail -20 >&2; die "docker-registry does not answer on $R"; }

signing_init "$W/sign"
FPR=$(gpg_key_create e2e-signer) || die "cannot create the GPG key"
LOOKASIDE=$W/lookaside
registries_d_write /etc/containers/registries.d "$LOOKASIDE"
install -D -m 0644 "$SIGN_DIR/e2e-signer.gpg" /etc/pki/hardrun-e2e/signer.gpg

# --- images -------------------------------------------------------------------------------------
# version N: a busybox service that prints its confinement (/hardrun-probe), its version, and
# sleeps; /healthy exists except in v3 (its health check fails).
declare -A D
build_image() { # version healthy(yes|no)
  local v=$1 root=$W/img/$1/root
  mkdir -p -- "$root"
  make_template "$root" /bin/busybox
  printf 'e2e-%s\n' "$v" >"$root/etc/marker"
  [[ $2 == yes ]] && : >"$root/healthy"
  chmod 0644 "$root/etc/marker"
  tar -C "$root" --numeric-owner -cf "$W/img/$v/rootfs.tar" .
  podman import --quiet --change 'ENV PATH=/bin' --change "ENV E2E_VERSION=$v" \
    --change 'CMD ["/bin/sh", "-c", "/bin/sh /hardrun-probe; echo e2e-version=$E2E_VERSION; exec sleep 1000000"]' \
    "$W/img/$v/rootfs.tar" "localhost/e2e-build:$v" >/dev/null
}
push() { # version [fpr]
  local sign=()
  [[ -n ${2:-} ]] && sign=(--sign-by "$2")
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false ${sign[@]+"${sign[@]}"} \
    "containers-storage:localhost/e2e-build:$1" "docker://$REPO:$1" >/dev/null || return 1
  D[$1]=$(manifest_digest "$REPO:$1") || return 1
}
# retag TAG VERSION: point REPO:TAG at the manifest of REPO:VERSION (same bytes, same digest).
retag() { # tag version
  skopeo --insecure-policy copy --quiet --preserve-digests --remove-signatures --src-tls-verify=false \
    --dest-tls-verify=false "docker://$REPO:$2" "docker://$REPO:$1" >/dev/null &&
    [[ $(manifest_digest "$REPO:$1") == "${D[$2]}" ]]
}
for v in v1 v2 v3 v4 v5; do
  build_image "$v" "$([[ $v == v3 ]] && echo no || echo yes)" || die "cannot build image $v"
done
push v1 "$FPR" && push v2 "$FPR" && push v3 "$FPR" && push v4 && push v5 "$FPR" || die "cannot push the images to $R"
retag latest v1 || die "cannot tag latest"
podman rmi --all --force >/dev/null 2>&1 # the services pull from the registry, as on a real host
# From here on: reject by default, and the test repository needs the key's signature (written
# after the images were imported: podman 5 checks `podman import` against the policy too).
policy_write /etc/containers/policy.json "$R/e2e" "$(req_gpg /etc/pki/hardrun-e2e/signer.gpg)"
echo "# registry $R; v1=${D[v1]:7:12} v2=${D[v2]:7:12} v3=${D[v3]:7:12} v4=${D[v4]:7:12} v5=${D[v5]:7:12} (v4 unsigned, v3 unhealthy)"

# --- helpers for the checks ---------------------------------------------------------------------
# unit_active UNIT SECONDS: waits until the unit is active (fails early when it failed).
unit_active() { # unit seconds
  local i state
  for ((i = 0; i < $2 * 2; i++)); do
    state=$(systemctl is-active "$1" 2>/dev/null)
    [[ $state == active ]] && return 0
    [[ $state == failed ]] && return 1
    sleep 0.5
  done
  return 1
}
# The container quadlet names systemd-NAME; prints what podman sees about it.
ctr_image_digest() { # container
  podman inspect --format '{{.ImageDigest}}' "$1" 2>/dev/null
}
ctr_image_name() { # container
  podman inspect --format '{{.ImageName}}' "$1" 2>/dev/null
}
# probe_out CONTAINER FILE: the service's own output (the probe at its start) into FILE; waits for it.
probe_out() { # container file
  local i
  for ((i = 0; i < 40; i++)); do
    podman logs "$1" >"$2" 2>&1
    grep -q '^e2e-version=' "$2" && return 0
    sleep 0.5
  done
  return 1
}
# hardened NAME CONTAINER: the confinement the service process reports, against its config.json.
hardened() { # row container
  local probe=$OUT/$1.probe cfg host why
  if ! probe_out "$2" "$probe"; then
    report not-ok "$1" "container $2 printed no probe output"
    diag "$probe"
    return 1
  fi
  cfg=$(podman inspect --format '{{.OCIConfigPath}}' "$2" 2>/dev/null)
  host=$(jq -r '.linux.uidMappings[0].hostID // empty' "$cfg" 2>/dev/null)
  if why=$(check_probe "$probe" "$cfg" "${host:-none}"); then
    report ok "$1" "$2 runs hardened, seen from inside: uid $(probe_value "$probe" uid), CapEff/CapBnd 0, NoNewPrivs 1, Seccomp 2, read-only root, uid_map '$(probe_value "$probe" uid_map)'"
  else
    report not-ok "$1" "$2 is not hardened as seen from inside: $why"
    diag "$probe"
    return 1
  fi
}
# hook_allowed ROW DIGEST SINCE: hardrun-hook logged an allow for DIGEST since SINCE (journal).
hook_allowed() { # row digest since
  local j=$OUT/$1.journal
  journalctl --no-pager -o verbose -t hardrun-hook --since "$3" "IMAGE_DIGEST=$2" >"$j" 2>&1
  if grep -q '^ *VERDICT=allow$' "$j"; then
    report ok "$1" "the journal has hardrun-hook's allow for ${2:7:12} ($(grep -m1 '^ *RULE=' "$j" | sed 's/^ *//'))"
  else
    report not-ok "$1" "no hardrun-hook allow for ${2:7:12} in the journal since $3"
    journalctl --no-pager -t hardrun-hook --since "$3" >"$j.all" 2>&1
    diag "$j.all"
  fi
}

# --- 0. the harness: a hand-written hardened unit through the shim and the hook ------------------
T0=$(date '+%Y-%m-%d %H:%M:%S')
cat >"$UNITDIR/e2e-base.container" <<UNIT
[Unit]
Description=hardrun e2e: hand-written hardened unit

[Container]
Image=$REPO@${D[v1]}
ContainerName=e2e-base
ReadOnly=true
DropCapability=all
NoNewPrivileges=true
User=10001
Group=10001
UIDMap=0:200000:65536
GIDMap=0:200000:65536

[Service]
TimeoutStartSec=120
UNIT
systemctl daemon-reload
if systemctl start e2e-base.service && unit_active e2e-base.service 60; then
  report ok base-start "hand-written quadlet unit e2e-base.service is active"
  hardened base-hardened e2e-base
  [[ $(ctr_image_digest e2e-base) == "${D[v1]}" ]] &&
    report ok base-digest "e2e-base runs v1 (${D[v1]:7:12})" ||
    report not-ok base-digest "e2e-base runs '$(ctr_image_digest e2e-base)', want v1 ${D[v1]}"
  hook_allowed base-hook "${D[v1]}" "$T0"
else
  report not-ok base-start "systemctl start e2e-base.service failed ($(systemctl is-active e2e-base.service))"
  journalctl --no-pager -u e2e-base.service >"$OUT/base.journal" 2>&1
  tail -n 40 "$OUT/base.journal" | sed 's/^/# /'
fi
systemctl stop e2e-base.service >/dev/null 2>&1
rm -f -- "$UNITDIR/e2e-base.container"
systemctl daemon-reload

# The unsigned image through the same path: the hook (or the pull's policy check) refuses it.
cat >"$UNITDIR/e2e-unsigned.container" <<UNIT
[Container]
Image=$REPO@${D[v4]}
ContainerName=e2e-unsigned
ReadOnly=true
DropCapability=all
NoNewPrivileges=true
User=10001
Group=10001
UIDMap=0:200000:65536
GIDMap=0:200000:65536
[Service]
TimeoutStartSec=60
UNIT
systemctl daemon-reload
if systemctl start e2e-unsigned.service >/dev/null 2>&1 && unit_active e2e-unsigned.service 10; then
  report not-ok base-unsigned "e2e-unsigned.service (v4, unsigned) is active: the trust policy was not enforced"
elif { journalctl --no-pager -o cat -u e2e-unsigned.service; journalctl --no-pager -o cat -t hardrun-hook; } >"$OUT/unsigned.why" 2>&1
  # (into a file first: with pipefail, journalctl | grep -q fails when grep stops reading early)
  ! grep -qE 'signature was required|hardrun-hook: deny' "$OUT/unsigned.why"; then
  report not-ok base-unsigned "e2e-unsigned.service (v4, unsigned) failed, but not for its missing signature"
  journalctl --no-pager -u e2e-unsigned.service -n 20 -o cat >"$OUT/unsigned.journal" 2>&1
  diag "$OUT/unsigned.journal"
else
  report ok base-unsigned "e2e-unsigned.service (v4, unsigned) does not start ($(systemctl is-active e2e-unsigned.service)): $(grep -m1 -oE '(hardrun-hook: deny|Error): .{0,120}' "$OUT/unsigned.why")"
fi
systemctl stop e2e-unsigned.service >/dev/null 2>&1
rm -f -- "$UNITDIR/e2e-unsigned.container"
systemctl daemon-reload

# --- issue 5: hardrun quadlet, update, audit ----------------------------------------------------
source "$E2E/e2e/flow.sh"

systemctl stop e2e-registry.service >/dev/null 2>&1
gpg_agent_stop
tap_finish
