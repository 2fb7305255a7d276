#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Every unit `hardrun quadlet` writes goes through the REAL quadlet generator (podman 5 from
# Debian trixie; bookworm's podman 4.3.1 has none): the generator must accept it without a
# warning (it refuses unknown keys in [Container]) and the podman command line it generates
# (ExecStart=) must carry the hardening: the pinned digest, --read-only, --cap-drop all,
# no-new-privileges, --user, the user namespace, --runtime …/hardrun-runtime, the secrets with
# mode 0400 and, with a health check, --sdnotify=healthy. The pin drop-in `hardrun update`
# writes must win over the unit's Image=.
#
# Where quadlet comes from, in order: $HARDRUN_QUADLET; /usr/libexec/podman/quadlet when the host
# has one; the e2e tier's cached trixie root (/var/cache/hardrun-e2e/*/usr/libexec/podman/quadlet);
# this test's own cache (/var/cache/hardrun-quadlet), filled by downloading trixie's podman .deb
# with apt-get from the Debian mirror the host already uses (read from the apt sources; the
# quadlet binary links only libc, so it runs on bookworm). Exit 77 (skip) only when none of
# that works, unless HARDRUN_TEST_MUST_WORK=1. Environment: HARDRUN_BIN, HARDRUN_SOURCE_DIR.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
# shellcheck source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"

NAME=quadlet_generator
skip() {
  if [[ ${HARDRUN_TEST_MUST_WORK:-0} == 1 ]]; then
    echo "$NAME: FAIL: cannot run: $1 (HARDRUN_TEST_MUST_WORK=1)" >&2
    exit 1
  fi
  echo "$NAME: SKIP: $1"
  exit 77
}

WORK=$(mktemp -d /tmp/hardrun-quadlet.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# --- find or fetch a quadlet generator ---------------------------------------------------------
CACHE=${HARDRUN_QUADLET_CACHE:-/var/cache/hardrun-quadlet}
fetch_quadlet() {
  local mirror apt
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || return 1
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
    /etc/apt/sources.list 2>/dev/null || true)
  [[ -n $mirror ]] || return 1
  apt=$WORK/apt
  mkdir -p "$apt"/{lists/partial,cache/archives/partial,deb}
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State=$apt"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update >"$WORK/apt.log" 2>&1 || return 1
  (cd "$apt/deb" && apt-get "${opts[@]}" download podman >>"$WORK/apt.log" 2>&1) || return 1
  mkdir -p "$WORK/root" && dpkg-deb -x "$apt"/deb/podman_*.deb "$WORK/root" || return 1
  mkdir -p "$CACHE/usr/libexec/podman" && install -m 0755 "$WORK/root/usr/libexec/podman/quadlet" "$CACHE/usr/libexec/podman/quadlet.new" &&
    mv "$CACHE/usr/libexec/podman/quadlet.new" "$CACHE/usr/libexec/podman/quadlet"
}
QUADLET=${HARDRUN_QUADLET:-}
if [[ -z $QUADLET ]]; then
  for q in /usr/libexec/podman/quadlet /var/cache/hardrun-e2e/*/usr/libexec/podman/quadlet "$CACHE/usr/libexec/podman/quadlet"; do
    if [[ -x $q ]] && "$q" -version >/dev/null 2>&1; then
      QUADLET=$q
      break
    fi
  done
fi
if [[ -z $QUADLET ]]; then
  fetch_quadlet || { diag "$WORK/apt.log"; skip "no quadlet generator and cannot download trixie's podman .deb"; }
  QUADLET=$CACHE/usr/libexec/podman/quadlet
fi
"$QUADLET" -version >/dev/null 2>&1 || skip "$QUADLET does not run here"
echo "# quadlet: $QUADLET ($("$QUADLET" -version 2>&1 | head -n1))"

DIGEST_A=sha256:$(printf 'a%.0s' {1..64})
DIGEST_B=sha256:$(printf 'b%.0s' {1..64})
REPO=127.0.0.1:5000/hardrun/app
CONFIG=$WORK/hardrun.json
echo '{"hardrunConfig": 1}' >"$CONFIG"

# generate CASE ARGS...: hardrun quadlet into its own unit dir, then the generator.
generate() {
  local case=$1
  shift
  local dir=$WORK/$case
  mkdir -p "$dir/units"
  if ! "$HARDRUN_BIN" quadlet --config "$CONFIG" --policy "$PROFILE" --shim /usr/bin/hardrun-runtime -o "$dir/units/$case.container" \
    "$@" >"$dir/hardrun.out" 2>"$dir/hardrun.err"; then
    report not-ok "$case" "hardrun quadlet failed"
    diag "$dir/hardrun.err"
    return 1
  fi
  if ! QUADLET_UNIT_DIRS=$dir/units "$QUADLET" -dryrun >"$dir/service" 2>"$dir/quadlet.err"; then
    report not-ok "$case" "the quadlet generator refused the unit"
    diag "$dir/quadlet.err"
    diag "$dir/units/$case.container"
    return 1
  fi
  if grep -Eiq 'warning|unsupported|error' "$dir/quadlet.err"; then
    report not-ok "$case" "the generator warned"
    diag "$dir/quadlet.err"
    return 1
  fi
  grep '^ExecStart=' "$dir/service" >"$dir/execstart" || true
  report ok "$case" "accepted by the generator"
}

# expect CASE WHAT PATTERN...: every fixed string is in the generated ExecStart=.
expect() {
  local case=$1 what=$2
  shift 2
  local missing=()
  for p in "$@"; do
    grep -qF -- "$p" "$WORK/$case/execstart" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    report ok "$case" "$what"
  else
    report not-ok "$case" "$what: missing ${missing[*]}"
    diag "$WORK/$case/execstart"
  fi
}

HARDENING=(--read-only --read-only-tmpfs=false "--cap-drop all" "--security-opt=no-new-privileges" "--user 10001:10001"
  "--uidmap 0:100000:65536" "--gidmap 0:100000:65536" "--tmpfs /tmp:" "--security-opt seccomp=" "--pids-limit "
  "/usr/bin/podman --runtime /usr/bin/hardrun-runtime ")

# 1. the plain unit
if generate plain plain "$REPO@$DIGEST_A"; then
  expect plain "hardening flags and the pinned digest" "${HARDENING[@]}" " $REPO@$DIGEST_A" "--sdnotify=conmon"
fi

# 2. tracked tag, secrets, a health check
if generate full full "$REPO@$DIGEST_A" --track "$REPO:1" --secret db --secret tls,target=/etc/app/tls.pem \
  --health-cmd "test -e /tmp/ready" --health-interval 5s --health-retries 2 --health-start-period 1s --description "full test" --network none; then
  expect full "hardening, secrets 0400, Notify=healthy, the track label" "${HARDENING[@]}" \
    "--secret db,type=mount,uid=10001,gid=10001,mode=0400" \
    "--secret tls,type=mount,uid=10001,gid=10001,mode=0400,target=/etc/app/tls.pem" \
    "--sdnotify=healthy" '--health-cmd "test -e /tmp/ready"' "--health-interval 5s" "--health-retries 2" \
    "--label io.hardrun.track=$REPO:1" "--network none"
  if grep -qx '\[X-Hardrun\]' "$WORK/full/service" && grep -qx "Track=$REPO:1" "$WORK/full/service"; then
    report ok full "[X-Hardrun] Track= passes through to the service, where systemd ignores X- sections"
  else
    report not-ok full "[X-Hardrun] Track= is not in the generated service"
  fi
fi

# 3. the pin drop-in hardrun update writes wins over Image=
if generate pinned pinned "$REPO@$DIGEST_A" --track "$REPO:1"; then
  mkdir -p "$WORK/pinned/units/pinned.container.d"
  printf '[Container]\nImage=%s\n' "$REPO@$DIGEST_B" >"$WORK/pinned/units/pinned.container.d/50-hardrun-pin.conf"
  QUADLET_UNIT_DIRS=$WORK/pinned/units "$QUADLET" -dryrun >"$WORK/pinned/service2" 2>"$WORK/pinned/quadlet2.err" || true
  if grep '^ExecStart=' "$WORK/pinned/service2" | grep -qF " $REPO@$DIGEST_B" &&
    ! grep '^ExecStart=' "$WORK/pinned/service2" | grep -qF "$DIGEST_A"; then
    report ok pinned "the drop-in's Image= is the one podman runs"
  else
    report not-ok pinned "the drop-in's Image= did not win"
    diag "$WORK/pinned/quadlet2.err"
  fi
  # The audit reads the unit with its drop-ins: still clean (advice for the missing health check).
  if "$HARDRUN_BIN" audit --config "$CONFIG" --policy "$PROFILE" "$WORK/pinned/units" >"$WORK/pinned/audit" 2>&1; then
    report ok pinned "hardrun audit of the unit and its drop-in is clean"
  else
    report not-ok pinned "hardrun audit found something"
    diag "$WORK/pinned/audit"
  fi
fi

# 4. a profile that keeps a capability: AddCapability= for it, nothing else
cap_profile=$WORK/cap.json
jq --arg seccomp "$HARDRUN_SOURCE_DIR/policies/seccomp/default.json" \
  '."drop-capabilities".allow = ["CAP_NET_BIND_SERVICE"] | .name = "cap" | .seccomp.profile = $seccomp' "$PROFILE" >"$cap_profile"
if jq -e . "$cap_profile" >/dev/null 2>&1 && PROFILE=$cap_profile generate cap cap "$REPO@$DIGEST_A"; then
  expect cap "--cap-add for the profile's capability only" "--cap-drop all" "--cap-add cap_net_bind_service"
fi

# 5. the generator really refuses what it does not know (the check above can fail)
mkdir -p "$WORK/unknown/units"
sed 's/^ReadOnly=true$/ReadOnly=true\nTrack=x/' "$WORK/plain/units/plain.container" >"$WORK/unknown/units/unknown.container"
if QUADLET_UNIT_DIRS=$WORK/unknown/units "$QUADLET" -dryrun >/dev/null 2>"$WORK/unknown/err"; then
  report not-ok control "the generator accepted an unknown [Container] key"
else
  report ok control "the generator refuses an unknown [Container] key ($(grep -o 'unsupported key.*' "$WORK/unknown/err" | head -n1 | cut -c1-60))"
fi

# 6. hardrun quadlet refuses a tag-only image and writes nothing
set +e
"$HARDRUN_BIN" quadlet --config "$CONFIG" --policy "$PROFILE" -o "$WORK/tag.container" tag "$REPO:1" 2>"$WORK/tag.err"
rc=$?
set -e
if [[ $rc == 1 && ! -e $WORK/tag.container ]] && grep -q 'refused: pinned' "$WORK/tag.err"; then
  report ok refuse "a tag-only image is refused (exit 1), no file written"
else
  report not-ok refuse "tag-only image: exit $rc"
  diag "$WORK/tag.err"
fi

tap_finish
