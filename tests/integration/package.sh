#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package (cmake/HardrunPackaging.cmake, contrib/package.sh).
#
#   package.sh repro    two builds from clean build directories (at different paths) with the
#                       same SOURCE_DATE_EPOCH give byte-identical .deb files; the package's
#                       control data, file list, owners and installed paths are what a
#                       distribution expects.
#   package.sh debian   the .deb installs with apt on a fresh Debian 12 (bookworm) booted with
#                       systemd as PID 1 in a privileged podman container (private storage);
#                       inside: hardrun --version, man hardrun, completions, hardrun doctor,
#                       and hardrun audit of a weak container and of a leaky image.
#
# Env: HARDRUN_SOURCE_DIR (required); HARDRUN_DEB: use this .deb for `debian` instead of building
# one; HARDRUN_PACKAGE_WORK: where to build (default: a temporary directory, removed).
# Exit 77 = skipped (not root, no podman, no mmdebstrap; HARDRUN_TEST_MUST_WORK=1 makes it fail).
set -euo pipefail
: "${HARDRUN_SOURCE_DIR:?}"
SRC=$HARDRUN_SOURCE_DIR
mode=${1:-}

skip() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "FAIL (must work): $*" >&2
    exit 1
  fi
  echo "skip: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

WORK=${HARDRUN_PACKAGE_WORK:-}
if [[ -z $WORK ]]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-package.XXXXXX")
  cleanup_work() { rm -rf "$WORK"; }
else
  mkdir -p "$WORK"
  cleanup_work() { :; }
fi
CLEANUPS=(cleanup_work)
on_exit() {
  local i
  for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do "${CLEANUPS[i]}" || true; done
}
trap on_exit EXIT

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$SRC" log -1 --format=%ct 2>/dev/null || echo 1700000000)}

# One snapshot of the sources (tracked and untracked, not ignored) for every build of this run,
# so that edits made meanwhile cannot make two builds differ.
snapshot() {
  [[ -d $WORK/src ]] && return 0
  mkdir -p "$WORK/src"
  if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$SRC" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$WORK/src" -xf -
  else
    cp -a "$SRC/." "$WORK/src/"
  fi
}

# What contrib/package.sh runs: CPackDeb's dependency list needs file(1) (it picks the ELF files)
# and dpkg-shlibdeps. Checked before build_deb, whose output a command substitution captures.
need_build_tools() {
  local tool
  for tool in cmake ninja scdoc file dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (contrib/dev.sh deps)"
  done
}

build_deb() { # BUILD_DIR OUT_DIR -> prints the .deb path
  snapshot
  "$WORK/src/contrib/package.sh" "$1" "$2" || fail "contrib/package.sh $1 failed"
}

# What a distribution expects of the package, read from the .deb itself.
check_contents() { # DEB
  local deb=$1 listing control
  listing=$(dpkg-deb -c "$deb")
  control=$(dpkg-deb -f "$deb")
  local path
  for path in ./usr/bin/hardrun ./usr/bin/hardrun-runtime ./usr/libexec/hardrun/hardrun-hook \
    ./usr/share/containers/oci/hooks.d/00-hardrun.json ./usr/share/hardrun/policies/strict.json \
    ./usr/share/hardrun/policies/seccomp/default.json ./usr/share/man/man1/hardrun.1 \
    ./usr/share/man/man1/hardrun-hook.1 ./usr/share/man/man1/hardrun-runtime.1 ./usr/share/man/man5/hardrun-policy.5 \
    ./usr/share/bash-completion/completions/hardrun ./usr/share/zsh/vendor-completions/_hardrun \
    ./usr/share/fish/vendor_completions.d/hardrun.fish ./etc/hardrun/hardrun.json \
    ./etc/containers/containers.conf.d/50-hardrun.conf; do
    grep -q " $path\$" <<<"$listing" || fail "$deb does not contain $path"
  done
  for path in hardrun-update.service hardrun-update.timer; do
    if [[ -e $SRC/contrib/systemd/$path ]]; then
      grep -q " ./usr/lib/systemd/system/$path\$" <<<"$listing" || fail "$deb does not contain the unit $path"
    fi
  done
  # Every file owned by root:root, nothing group- or world-writable.
  if grep -v ' root/root ' <<<"$listing" | grep -q .; then
    fail "files not owned by root/root: $(grep -v ' root/root ' <<<"$listing" | head -3)"
  fi
  if awk '{print $1}' <<<"$listing" | grep -v '^l' | grep -q '^.....w\|^........w'; then
    fail "group- or world-writable files in the package"
  fi
  local dep
  for dep in 'podman' 'runc' 'uidmap' 'librnp0' 'libseccomp2' 'libc6'; do
    grep -q "^Depends:.*\b$dep\b" <<<"$control" || fail "Depends lacks $dep: $(grep ^Depends <<<"$control")"
  done
  local ctl
  ctl=$(mktemp -d "$WORK/control.XXXXXX")
  dpkg-deb -e "$deb" "$ctl"
  grep -qx /etc/hardrun/hardrun.json "$ctl/conffiles" || fail "/etc/hardrun/hardrun.json is not a conffile"
  [[ -x $ctl/postinst ]] || fail "no executable postinst"
  # The hooks.d file names the installed hook by absolute path, with a pinned env and a timeout.
  local data hooks
  data=$(mktemp -d "$WORK/data.XXXXXX")
  dpkg-deb -x "$deb" "$data"
  hooks=$data/usr/share/containers/oci/hooks.d/00-hardrun.json
  jq -e '.version == "1.0.0" and .hook.path == "/usr/libexec/hardrun/hardrun-hook" and
         any(.hook.env[]; startswith("PATH=/usr/sbin:/usr/bin")) and .hook.timeout > 10 and
         .stages == ["prestart"] and .when.always == true and
         (.hook.args | index("/etc/hardrun/hardrun.json")) != null' "$hooks" >/dev/null ||
    fail "bad hooks.d file: $(cat "$hooks")"
  jq -e '.hookPath == "/usr/libexec/hardrun/hardrun-hook" and .hardrunConfig == 1 and .runtime == "/usr/sbin/runc"' \
    "$data/etc/hardrun/hardrun.json" >/dev/null || fail "bad /etc/hardrun/hardrun.json"
  # The installed programs find their installed files: a profile by name from /usr/share.
  "$data/usr/bin/hardrun" --version | grep -q '^hardrun ' || fail "hardrun --version"
  echo "ok: $deb has the expected files, owners, Depends, conffiles and hooks.d file"
}

repro() {
  need_build_tools
  command -v jq >/dev/null || skip "jq is not installed"
  local a b deb_a deb_b
  # Different directory names and depths: paths must not reach the bytes.
  a=$WORK/one
  b=$WORK/second/build
  deb_a=$(build_deb "$a/build" "$a/out")
  deb_b=$(build_deb "$b" "$WORK/second/out")
  [[ $(basename "$deb_a") == "$(basename "$deb_b")" ]] || fail "different names: $deb_a $deb_b"
  local sa sb
  sa=$(sha256sum <"$deb_a" | cut -d' ' -f1)
  sb=$(sha256sum <"$deb_b" | cut -d' ' -f1)
  echo "build 1: $deb_a $sa"
  echo "build 2: $deb_b $sb"
  if [[ $sa != "$sb" ]]; then
    diff <(dpkg-deb -c "$deb_a") <(dpkg-deb -c "$deb_b") >&2 || true
    diff <(dpkg-deb -I "$deb_a") <(dpkg-deb -I "$deb_b") >&2 || true
    local x y f
    x=$(mktemp -d "$WORK/x.XXXXXX") y=$(mktemp -d "$WORK/y.XXXXXX")
    dpkg-deb -x "$deb_a" "$x" && dpkg-deb -x "$deb_b" "$y"
    while IFS= read -r f; do
      cmp -s "$x/$f" "$y/$f" || echo "differs: /$f" >&2
    done < <(cd "$x" && find . -type f | sed 's|^\./||')
    fail "the two builds of the same sources differ (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
  fi
  echo "ok: byte-identical .deb from two clean builds (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH, sha256 $sa)"
  check_contents "$deb_a"
}

# An OCI archive (podman load -i) of a deliberately leaky image, localhost/leaky:1: a busybox
# base layer; a layer with an SSH private key and apt caches; a layer whose whiteout deletes the
# key (it stays in the layer below); API_TOKEN in ENV.
leaky_archive() { # out.tar
  local d=$WORK/leaky l
  rm -rf "$d"
  mkdir -p "$d/base/bin" "$d/secret/root/.ssh" "$d/secret/var/cache/apt/archives" "$d/cleanup/root/.ssh"
  cp /bin/busybox "$d/base/bin/busybox"
  ln -s busybox "$d/base/bin/sh"
  ln -s busybox "$d/base/bin/sleep"
  openssl genpkey -algorithm ed25519 -out "$d/secret/root/.ssh/id_rsa" 2>/dev/null
  head -c 4096 /dev/urandom >"$d/secret/var/cache/apt/archives/curl_7.88_amd64.deb"
  : >"$d/cleanup/root/.ssh/.wh.id_rsa"
  for l in base secret cleanup; do
    tar -C "$d/$l" --owner 0 --group 0 --sort=name --mtime=@0 -cf "$d/$l.tar" .
  done
  # shellcheck source=lib/oci.sh
  source "$SRC/tests/integration/lib/oci.sh"
  oci_image "$d/layout" localhost/leaky:1 '{"config": {"Env": ["PATH=/bin", "API_TOKEN=tok-0123456789"], "Cmd": ["/bin/sh"]},
    "history": [{"created_by": "ADD base.tar /"}, {"created_by": "COPY id_rsa /root/.ssh/id_rsa"}, {"created_by": "RUN rm /root/.ssh/id_rsa"},
                {"created_by": "ENV API_TOKEN=tok-0123456789", "empty_layer": true}]}' \
    "$d/base.tar" "$d/secret.tar" "$d/cleanup.tar"
  tar -C "$d/layout" -cf "$1" .
}

# ---- debian: install on a fresh bookworm with systemd -------------------------------------------
debian() {
  [[ $(id -u) == 0 ]] || skip "needs root (privileged container with systemd)"
  command -v podman >/dev/null || skip "podman is not installed"
  command -v runc >/dev/null || skip "runc is not installed"
  command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (contrib/dev.sh deps)"
  for t in jq openssl /bin/busybox; do command -v "$t" >/dev/null || skip "$t is not installed (contrib/dev.sh deps)"; done
  # shellcheck source=../lib/debroot.sh
  source "$SRC/tests/lib/debroot.sh"
  local deb=${HARDRUN_DEB:-}
  if [[ -z $deb ]]; then
    need_build_tools
    deb=$(build_deb "$WORK/build" "$WORK/out")
  fi
  [[ -f $deb ]] || fail "no .deb at $deb"
  local tar
  # A fresh bookworm with systemd; hardrun's own dependencies come from apt at install time.
  tar=$(debroot bookworm apt systemd,systemd-sysv,dbus,man-db,ca-certificates) || skip "no bookworm root (debroot failed; see above)"

  local store=$WORK/store run=$WORK/runroot
  mkdir -p "$store" "$run"
  mount -t tmpfs -o size=256m,mode=0700 tmpfs "$run"
  unmount_run() { umount "$WORK/runroot"; } # $run is local to this function, gone when the EXIT trap runs
  CLEANUPS+=(unmount_run)
  P=(podman --root "$store" --runroot "$run" --storage-driver overlay --cgroup-manager cgroupfs)
  stop_all() { "${P[@]}" rm -f -t 0 hardrun-deb-e2e >/dev/null 2>&1; "${P[@]}" rmi -af >/dev/null 2>&1; }
  CLEANUPS+=(stop_all)
  "${P[@]}" import -q "$tar" localhost/bookworm-systemd:hardrun >/dev/null
  # Not --systemd=always: on a cgroup v1 (hybrid) host it mounts the name=systemd hierarchy from
  # outside the container's cgroup namespace and podman inside cannot find its own cgroup (see
  # e2e_systemd.sh); the systemd bits are set by hand instead.
  "${P[@]}" run -d --name hardrun-deb-e2e --runtime runc --privileged --systemd=false --cgroupns=private \
    --tmpfs /run:rw,nosuid,nodev,mode=0755 --tmpfs /run/lock:rw,nosuid,nodev,noexec --tmpfs /tmp:rw,nosuid,nodev \
    --env container=podman --stop-signal RTMIN+3 \
    --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --network host \
    localhost/bookworm-systemd:hardrun /lib/systemd/systemd >/dev/null
  inside() { "${P[@]}" exec -i hardrun-deb-e2e "$@"; }
  local i state=
  for ((i = 0; i < 60; i++)); do
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    [[ $state == running || $state == degraded ]] && break
    sleep 1
  done
  [[ $state == running || $state == degraded ]] || fail "systemd inside did not come up (state '$state')"
  echo "ok: bookworm booted with systemd ($state)"

  # Apt from the machine's own mirror, read now; debroot's dpkg path-excludes (no man pages,
  # no docs) are not what a fresh Debian has.
  local mirror
  mirror=$(debroot_mirror)
  inside sh -c "printf 'deb %s bookworm main\n' '$mirror' > /etc/apt/sources.list && rm -f /etc/apt/sources.list.d/*.sources /etc/dpkg/dpkg.cfg.d/99mmdebstrap"
  "${P[@]}" cp "$deb" hardrun-deb-e2e:/root/
  local name
  name=$(basename "$deb")
  inside sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q /root/$name" >"$WORK/apt.log" 2>&1 ||
    { tail -30 "$WORK/apt.log" >&2; fail "apt-get install ./$name failed on a fresh bookworm"; }
  grep -q 'hardrun: adding subordinate id ranges' "$WORK/apt.log" || fail "postinst did not say what it changes"
  echo "ok: apt-get install ./$name ($(grep -c '^Setting up' "$WORK/apt.log") packages set up)"

  local v
  v=$(inside hardrun --version) || fail "hardrun --version inside"
  [[ $v == "hardrun "* ]] || fail "hardrun --version printed '$v'"
  echo "ok: $v"
  inside sh -c 'MANWIDTH=80 man hardrun 2>/dev/null | grep -q "^SECURITY"' || fail "man hardrun does not render (no SECURITY section)"
  inside sh -c 'man -w hardrun-hook >/dev/null && man -w hardrun-runtime >/dev/null && man -w 5 hardrun-policy >/dev/null' ||
    fail "man pages hardrun-hook(1), hardrun-runtime(1), hardrun-policy(5) not found"
  echo "ok: man hardrun renders; hardrun-hook(1), hardrun-runtime(1), hardrun-policy(5) installed"
  inside grep -q '^containers:' /etc/subuid || fail "postinst did not add the containers range to /etc/subuid"
  inside test -f /usr/share/bash-completion/completions/hardrun || fail "bash completion not installed"
  inside bash -c 'source /usr/share/bash-completion/completions/hardrun && COMP_WORDS=(hardrun do) COMP_CWORD=1 && _hardrun && [[ ${COMPREPLY[*]} == doctor ]]' ||
    fail "installed bash completion does not complete 'hardrun do'"
  echo "ok: subuid range added by postinst; bash completion works"

  # The nested podman cannot stack overlay on the container's overlay root (podman 4.3 wants
  # runroot and graphroot in a storage.conf that exists), and the outer container's systemd has
  # no machine.slice for the systemd cgroup manager. These describe the test machine, not the
  # package: a real host needs neither.
  inside sh -c 'mkdir -p /etc/containers && printf "[storage]\ndriver = \"vfs\"\nrunroot = \"/run/containers/storage\"\ngraphroot = \"/var/lib/containers/storage\"\n" > /etc/containers/storage.conf'
  inside sh -c 'printf "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n" > /etc/containers/containers.conf'
  if ! inside hardrun doctor >"$WORK/doctor.log" 2>&1; then
    cat "$WORK/doctor.log" >&2
    fail "hardrun doctor fails on a fresh bookworm after apt-get install"
  fi
  cat "$WORK/doctor.log"
  echo "ok: hardrun doctor passes"

  # What a new user tries next: audit a deliberately weak container and a deliberately leaky
  # image. The weak container is started the way the hook cannot see (an empty --hooks-dir, as
  # root can), by tag and --privileged; the hook would refuse it otherwise.
  leaky_archive "$WORK/leaky.tar"
  "${P[@]}" cp "$WORK/leaky.tar" hardrun-deb-e2e:/root/
  inside podman load -q -i /root/leaky.tar >/dev/null || fail "podman load of the leaky image inside"
  local digest rc=0
  digest=$(inside podman image inspect --format '{{.Digest}}' localhost/leaky:1)
  inside sh -c 'mkdir -p /tmp/no-hooks && podman --hooks-dir /tmp/no-hooks run -d --name weak --privileged localhost/leaky:1 sleep 600' >/dev/null ||
    fail "the weak container did not start inside"
  inside hardrun audit --json weak >"$WORK/audit-weak.json" 2>"$WORK/audit.err" || rc=$?
  [[ $rc == 1 ]] || fail "hardrun audit weak: exit $rc, want 1 (findings): $(head -c 300 "$WORK/audit.err")"
  jq -e '.containers[0].findings | map(select(.rule == "privileged" and (.ids | tostring | test("C-0057")))) | length == 1' \
    "$WORK/audit-weak.json" >/dev/null || fail "hardrun audit weak: no privileged finding with its ids: $(head -c 600 "$WORK/audit-weak.json")"
  echo "ok: hardrun audit finds the weak container's gaps ($(jq -r '[.containers[0].findings[].rule] | unique | join(", ")' "$WORK/audit-weak.json"))"
  rc=0
  inside hardrun audit --json --image "localhost/leaky@$digest" >"$WORK/audit-image.json" 2>"$WORK/audit.err" || rc=$?
  [[ $rc == 1 ]] || fail "hardrun audit --image: exit $rc, want 1: $(head -c 300 "$WORK/audit.err")"
  jq -e '[.findings[] | select(.rule == "image-secret-file" and .where == "/root/.ssh/id_rsa" and .layer == 1)] | length == 1' \
    "$WORK/audit-image.json" >/dev/null || fail "hardrun audit --image: the key deleted by a whiteout is not reported in layer 1: $(head -c 600 "$WORK/audit-image.json")"
  jq -e '[.findings[] | select(.rule == "image-secret-env")] | length >= 1' "$WORK/audit-image.json" >/dev/null ||
    fail "hardrun audit --image: ENV API_TOKEN is not reported"
  echo "ok: hardrun audit --image finds the key a later layer deleted (layer 1) and the secret ENV"
  inside podman rm -f -t 0 weak >/dev/null 2>&1 || true
}

case $mode in
repro) repro ;;
debian) debian ;;
*)
  echo "usage: package.sh repro|debian" >&2
  exit 2
  ;;
esac
