#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Image admission, end to end: a private docker-registry on 127.0.0.1 (a free port per run),
# busybox images pushed with skopeo, GPG-signed by skopeo (--sign-by, file:// lookaside) or
# carrying a sigstore attachment written in containers/image's layout, pulled with podman into a
# private store; then containers started through the hardrun runtime shim with hardrun-hook in
# the private hooks dir. Each container prints a canary computed by its shell (ran-42-NAME):
# allowed containers must print it, denied ones must not, and a denied container, left in
# Created, must stay denied on a later `podman start`. Rows of security.md §4.1/§4.3/§4.4/§4.5
# that need real storage run the hook directly on captured states, on the live store or on a
# copy of it that the row tampers with.
#
# Needs root, podman, runc, skopeo, docker-registry, gpg, openssl, jq, busybox-static; exit 77
# (skip) otherwise unless HARDRUN_TEST_MUST_WORK=1.
# Environment: HARDRUN_HOOK (hardrun-hook), HARDRUN_RUNTIME (hardrun-runtime), HARDRUN_SOURCE_DIR.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARDRUN_SOURCE_DIR=${HARDRUN_SOURCE_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)}
HARDRUN_HOOK=${HARDRUN_HOOK:-$HARDRUN_SOURCE_DIR/build/hook/hardrun-hook}
HARDRUN_RUNTIME=${HARDRUN_RUNTIME:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun-runtime}
PROFILE=$HARDRUN_SOURCE_DIR/tests/data/profiles/test.json
T=hook_admission

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

[[ $(id -u) == 0 ]] || skip "needs root (rootful podman with a private store)"
for c in podman runc skopeo gpg gpgconf openssl jq ss tar sha256sum base64; do
  command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
[[ -x /usr/bin/docker-registry ]] || skip "docker-registry is not installed"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
[[ -x $HARDRUN_HOOK ]] || skip "HARDRUN_HOOK=$HARDRUN_HOOK is not built"
[[ -x $HARDRUN_RUNTIME ]] || skip "HARDRUN_RUNTIME=$HARDRUN_RUNTIME is not built"
[[ -r $PROFILE ]] || die "test profile $PROFILE is missing"
HARDRUN_HOOK=$(realpath -- "$HARDRUN_HOOK")
HARDRUN_RUNTIME=$(realpath -- "$HARDRUN_RUNTIME")

# shellcheck source-path=SCRIPTDIR source=lib/podman.sh
source "$SCRIPT_DIR/lib/podman.sh"
# shellcheck source-path=SCRIPTDIR source=lib/registry.sh
source "$SCRIPT_DIR/lib/registry.sh"
# shellcheck source-path=SCRIPTDIR source=lib/hookrun.sh
source "$SCRIPT_DIR/lib/hookrun.sh"

fixture_init hardrun-admission || die "cannot set up a private podman"
trap fixture_cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source-path=SCRIPTDIR source=lib/tap.sh
source "$SCRIPT_DIR/lib/tap.sh"

# The one-line deny format: "hardrun-hook: deny: <rule>: <reason> — <fix>".
DENY_RE='hardrun-hook: deny: [a-z0-9][a-z0-9-]*: .+ — .+'
rule_in() { # rule a|b|...
  [[ -n $1 && "|$2|" == *"|$1|"* ]]
}
deny_rule() { # file
  { LC_ALL=C grep -oE 'hardrun-hook: deny: [a-z0-9][a-z0-9-]*:' "$1" || true; } | head -n 1 |
    sed 's/^hardrun-hook: deny: //; s/:$//'
}

# --- fixtures -----------------------------------------------------------------------------------
echo "# setting up the registry, keys and images"
registry_start "$WORK/registry" || die "cannot start docker-registry"
signing_init "$WORK/sign"
GPG_FPR=$(gpg_key_create trusted) || die "cannot create the trusted GPG key"
GPG_OTHER_FPR=$(gpg_key_create untrusted) || die "cannot create the untrusted GPG key"
sigstore_key_create cosign || die "cannot create the sigstore key"
sigstore_key_create cosign-untrusted || die "cannot create the untrusted sigstore key"
LOOKASIDE=$WORK/lookaside
# registries.d used for pushes and pulls (lookaside and sigstore attachments), an empty one
# (the hook reads stored signatures only) and the HOME that makes podman use the first.
registries_d_write "$WORK/registries.d" "$LOOKASIDE" attachments
REGD_FULL=$REGISTRIES_D
mkdir -p "$WORK/registries-empty.d"
REGD_EMPTY=$WORK/registries-empty.d
PULL_HOME=$WORK/home
home_with_registries_d "$PULL_HOME" "$REGD_FULL"
R=$REGISTRY

# import MARKER: a local image localhost/adm-MARKER:latest; sets IMG_ID[MARKER], IMPORT_DIGEST[MARKER].
declare -A IMG_ID IMPORT_DIGEST D
import() { # marker
  IMG_ID[$1]=$(busybox_image "localhost/adm-$1:latest" "$1") || die "cannot import image $1"
  IMPORT_DIGEST[$1]=$(pm image inspect --format '{{.Digest}}' "localhost/adm-$1:latest")
}
# push KEY MARKER REPO:TAG [FPR]: D[KEY] = the registry manifest digest.
push() { # key marker ref [fpr]
  D[$1]=$(push_image "localhost/adm-$2:latest" "$R/$3" "${4:-}") || die "cannot push $3"
  [[ ${D[$1]} =~ ^sha256:[0-9a-f]{64}$ ]] || die "no digest for $3"
}
copy_lookaside() { # from-repo from-digest to-repo to-digest
  local from to
  from=$(lookaside_sig_dir "$LOOKASIDE" "$1" "$2")
  to=$(lookaside_sig_dir "$LOOKASIDE" "$3" "$4")
  [[ -s $from/signature-1 ]] || die "no lookaside signature in $from"
  mkdir -p -- "$to"
  cp -- "$from/signature-1" "$to/signature-1"
}

for m in gpg cosign cosigntagless unsigned wrongkey wrongcosign replay replaycosign other othercosign local \
  tamper; do
  import "$m"
done
# signed + pinned (GPG lookaside, then sigstore attachment)
push gpg gpg adm/gpg:v1 "$GPG_FPR"
# (identity: the reference it was pushed as, as c/image signs; cosign's tagless identity is a
# row of its own)
push cosign cosign adm/cosign:v1
sigstore_attach adm/cosign "${D[cosign]}" "$SIGN_DIR/cosign.key" "$R/adm/cosign:v1" || die "cannot attach"
push cosigntagless cosigntagless adm/cosign:tagless
sigstore_attach adm/cosign "${D[cosigntagless]}" "$SIGN_DIR/cosign.key" "$R/adm/cosign" || die "cannot attach"
# unsigned; signed by keys the policy does not trust
push unsigned unsigned adm/gpg:unsigned
push wrongkey wrongkey adm/gpg:wrongkey "$GPG_OTHER_FPR"
push wrongcosign wrongcosign adm/cosign:wrongkey
sigstore_attach adm/cosign "${D[wrongcosign]}" "$SIGN_DIR/cosign-untrusted.key" "$R/adm/cosign:wrongkey" ||
  die "cannot attach"
# replay: the valid signature of another digest (GPG: the lookaside file copied over; sigstore:
# the payload names the other digest), signed by the trusted keys
push replay replay adm/gpg:replay
copy_lookaside adm/gpg "${D[gpg]}" adm/gpg "${D[replay]}"
push replaycosign replaycosign adm/cosign:replay
sigstore_attach adm/cosign "${D[replaycosign]}" "$SIGN_DIR/cosign.key" "$R/adm/cosign:replay" "${D[cosign]}" ||
  die "cannot attach"
# another repository: image "other" signed as adm/gpg:other, the same digest pushed unsigned to
# adm/other and its signature copied into adm/other's lookaside; sigstore: the payload names
# adm/cosign but the attachment is in adm/cosign-other
push other other adm/gpg:other "$GPG_FPR"
push other_repo other adm/other:v1
[[ ${D[other]} == "${D[other_repo]}" ]] || die "the same image pushed twice got two digests"
copy_lookaside adm/gpg "${D[other]}" adm/other "${D[other]}"
push othercosign othercosign adm/cosign-other:v1
sigstore_attach adm/cosign-other "${D[othercosign]}" "$SIGN_DIR/cosign.key" "$R/adm/cosign:v1" ||
  die "cannot attach"
# a signed image whose stored data the tamper rows modify (in copies of the store)
push tamper tamper adm/gpg:tamper "$GPG_FPR"

# Pull by digest (and :v1 also by tag); the local import names are dropped (untag with the name:
# without one podman removes every name), the merged image records keep the import manifest
# (formats.md §4.1).
pull() { pull_image "$PULL_HOME" "$R/$1" || die "cannot pull $1"; }
pull "adm/gpg@${D[gpg]}"
pull adm/gpg:v1
pull "adm/cosign@${D[cosign]}"
pull "adm/cosign@${D[cosigntagless]}"
pull "adm/gpg@${D[unsigned]}"
pull "adm/gpg@${D[wrongkey]}"
pull "adm/cosign@${D[wrongcosign]}"
pull "adm/gpg@${D[replay]}"
pull "adm/cosign@${D[replaycosign]}"
pull "adm/other@${D[other]}"
pull "adm/cosign-other@${D[othercosign]}"
pull "adm/gpg@${D[tamper]}"
for m in "${!IMG_ID[@]}"; do
  [[ $m == local ]] && continue
  pm untag "localhost/adm-$m:latest" "localhost/adm-$m:latest" >/dev/null 2>&1 || true
done
# never pushed: imported straight under the registry's name
pm tag "localhost/adm-local:latest" "$R/adm/gpg:local"
pm untag "localhost/adm-local:latest" "localhost/adm-local:latest"

# Trust policies (reject by default), hardrun configurations and the hooks dir.
TRUSTED_GPG=$SIGN_DIR/trusted.gpg
TRUSTED_COSIGN=$SIGN_DIR/cosign.pub
POLICY=$WORK/policy.json
policy_write "$POLICY" \
  "$R/adm/gpg" "$(req_gpg "$TRUSTED_GPG")" \
  "$R/adm/other" "$(req_gpg "$TRUSTED_GPG")" \
  "$R/adm/cosign" "$(req_sigstore "$TRUSTED_COSIGN")" \
  "$R/adm/cosign-other" "$(req_sigstore "$TRUSTED_COSIGN")"
# adm/other accepting signatures made for adm/gpg: proves the other-repository deny is the
# identity rule and nothing else
POLICY_REMAP=$WORK/policy-remap.json
policy_write "$POLICY_REMAP" \
  "$R/adm/other" "$(req_gpg "$TRUSTED_GPG" "{\"type\":\"exactRepository\",\"dockerRepository\":\"$R/adm/gpg\"}")"
# cosign's tagless identity: only matchRepository (or looser) accepts it
POLICY_REPO=$WORK/policy-matchrepository.json
policy_write "$POLICY_REPO" "$R/adm/cosign" "$(req_sigstore "$TRUSTED_COSIGN" '{"type":"matchRepository"}')"
CFG=$WORK/hardrun.json
hardrun_config_write "$CFG" enforce "$POLICY" "$REGD_EMPTY" "$PROFILE" "$HARDRUN_HOOK"
CFG_WARN=$WORK/hardrun-warn.json
hardrun_config_write "$CFG_WARN" warn "$POLICY" "$REGD_EMPTY" "$PROFILE" "$HARDRUN_HOOK"
CFG_EXC=$WORK/hardrun-exception.json
hardrun_config_write "$CFG_EXC" enforce "$POLICY" "$REGD_EMPTY" "$PROFILE" "$HARDRUN_HOOK" "${D[unsigned]}"
CFG_LOOKASIDE=$WORK/hardrun-lookaside.json
hardrun_config_write "$CFG_LOOKASIDE" enforce "$POLICY" "$REGD_FULL" "$PROFILE" "$HARDRUN_HOOK"
STATES=$WORK/states
capture_hook_write "$PODMAN_DIR/hooks" "$STATES"
echo "# registry $R; images: $(for k in "${!D[@]}"; do printf '%s=%s ' "$k" "${D[$k]:7:12}"; done)"

# --- running containers -------------------------------------------------------------------------
RUNOPTS=(--pull never --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
USERNS=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)
# How podman hands the shim its configuration: conmon does not pass podman's environment on
# to the runtime, so it goes as a runtime global flag (podman --runtime-flag).
shim_flags() { # config
  SHIM=(--runtime "$HARDRUN_RUNTIME" --runtime-flag "hardrun-config=$1")
}

# ctr_run NAME CONFIG POLICY REF [--no-shim] [podman run args...]: runs REF as container NAME,
# whose command prints ran-42-NAME; leaves RC, OUT, ERR, RAN (yes/no) and RUN_GLOBAL (the
# podman global flags it used).
ctr_run() {
  local name=$1 cfg=$2 pol=$3 ref=$4
  shift 4
  local -a userns=("${USERNS[@]}")
  hook_json_write "$PODMAN_DIR/hooks" "$HARDRUN_HOOK" "$cfg" "$pol"
  if [[ ${1:-} == --no-shim ]]; then
    shift
    RUN_GLOBAL=(--runtime runc)
    userns=()
  else
    shim_flags "$cfg"
    RUN_GLOBAL=("${SHIM[@]}")
  fi
  OUT=$WORK/out/$name.out
  ERR=$WORK/out/$name.err
  mkdir -p "$WORK/out"
  RC=0
  pm "${RUN_GLOBAL[@]}" run --name "$name" "${RUNOPTS[@]}" ${userns[@]+"${userns[@]}"} "$@" "$ref" \
    /bin/sh -c "echo ran-\$((6*7))-$name" >"$OUT" 2>"$ERR" </dev/null || RC=$?
  if grep -q "^ran-42-$name\$" "$OUT"; then RAN=yes; else RAN=no; fi
}

# allow NAME CONFIG POLICY REF DESCRIPTION [podman run args...]
allow() {
  local name=$1 cfg=$2 pol=$3 ref=$4 what=$5
  shift 5
  ctr_run "$name" "$cfg" "$pol" "$ref" "$@"
  if [[ $RC == 0 && $RAN == yes ]]; then
    report ok "$name" "$what: ran"
  else
    report not-ok "$name" "$what: want it to run; podman rc $RC, canary ${RAN}"
    diag "$ERR"
  fi
  pm rm --force "$name" >/dev/null 2>&1 || true
}

# deny NAME CONFIG POLICY REF DESCRIPTION RULES [podman run args...]: the run fails, the
# canary is absent, podman's error carries the deny line with one of RULES (a|b); the container
# is left Created and a later `podman start` (hooks dir still present) is denied again.
deny() {
  local name=$1 cfg=$2 pol=$3 ref=$4 what=$5 rule=$6
  shift 6
  ctr_run "$name" "$cfg" "$pol" "$ref" "$@"
  local got problems=()
  got=$(deny_rule "$ERR")
  [[ $RC != 0 ]] || problems+=("podman rc 0")
  [[ $RAN == no ]] || problems+=("the container process ran")
  LC_ALL=C grep -qE "$DENY_RE" "$ERR" || problems+=("no '$DENY_RE' line in podman's error")
  rule_in "$got" "$rule" || problems+=("rule '$got', want '$rule'")
  if ((${#problems[@]} == 0)); then
    local state start_rc=0
    state=$(pm inspect --format '{{.State.Status}}' "$name" 2>/dev/null || echo missing)
    [[ $state == created ]] || problems+=("left in state '$state', want created")
    pm "${RUN_GLOBAL[@]}" start --attach "$name" >"$OUT.start" 2>"$ERR.start" </dev/null || start_rc=$?
    [[ $start_rc != 0 ]] || problems+=("podman start succeeded")
    ! grep -q "^ran-42-$name\$" "$OUT.start" || problems+=("podman start ran the process")
  fi
  if ((${#problems[@]} == 0)); then
    report ok "$name" "$what: denied (rule ${got}, podman rc $RC)"
  else
    report not-ok "$name" "$what: $(
      IFS=';'
      echo "${problems[*]}"
    )"
    diag "$ERR"
  fi
  pm rm --force "$name" >/dev/null 2>&1 || true
}

echo "# podman runs through the shim with hardrun-hook in the hooks dir"
allow gpg-digest "$CFG" "$POLICY" "$R/adm/gpg@${D[gpg]}" "GPG-signed, pinned by digest"
allow gpg-tag-and-digest "$CFG" "$POLICY" "$R/adm/gpg:whatever@${D[gpg]}" \
  "GPG-signed, name:tag@digest judged by the digest (I2)"
allow cosign-digest "$CFG" "$POLICY" "$R/adm/cosign@${D[cosign]}" "sigstore-signed, pinned by digest"
deny cosign-tagless-identity "$CFG" "$POLICY" "$R/adm/cosign@${D[cosigntagless]}" \
  "sigstore identity without a tag (cosign) under matchRepoDigestOrExact, which c/image refuses" signed-identity
allow cosign-tagless-matchrepository "$CFG" "$POLICY_REPO" "$R/adm/cosign@${D[cosigntagless]}" \
  "the same under signedIdentity matchRepository"
deny gpg-by-tag "$CFG" "$POLICY" "$R/adm/gpg:v1" "GPG-signed but run by tag (I1)" pinned
deny by-image-id "$CFG" "$POLICY" "sha256:${IMG_ID[gpg]}" "run by bare image id (not a pin)" pinned
deny unsigned "$CFG" "$POLICY" "$R/adm/gpg@${D[unsigned]}" "unsigned, pinned" signed
deny gpg-wrong-key "$CFG" "$POLICY" "$R/adm/gpg@${D[wrongkey]}" "GPG signature by an untrusted key (G5)" signed
deny cosign-wrong-key "$CFG" "$POLICY" "$R/adm/cosign@${D[wrongcosign]}" \
  "sigstore signature by an untrusted key (G5)" signed
deny gpg-replay-digest "$CFG" "$POLICY" "$R/adm/gpg@${D[replay]}" \
  "GPG signature of another digest copied over (G2)" signed-digest
deny cosign-replay-digest "$CFG" "$POLICY" "$R/adm/cosign@${D[replaycosign]}" \
  "sigstore signature naming another digest (G2)" signed-digest
deny gpg-other-repo "$CFG" "$POLICY" "$R/adm/other@${D[other]}" \
  "GPG signature for another repository copied over (G3)" signed-identity
allow gpg-other-repo-remapped "$CFG" "$POLICY_REMAP" "$R/adm/other@${D[other]}" \
  "the same, with a policy accepting that repository's identity (exactRepository)"
deny cosign-other-repo "$CFG" "$POLICY" "$R/adm/cosign-other@${D[othercosign]}" \
  "sigstore signature naming another repository (G3)" signed-identity
deny local-import-digest "$CFG" "$POLICY" "$R/adm/gpg@${IMPORT_DIGEST[gpg]}" \
  "a signed image run by its local import digest, never pushed (I6)" signed
deny local-only "$CFG" "$POLICY" "$R/adm/gpg@${IMPORT_DIGEST[local]}" \
  "an image imported under the registry's name and never pushed (I6)" signed
deny annotations-claim "$CFG" "$POLICY" "$R/adm/gpg@${D[unsigned]}" \
  "unsigned, with annotations claiming verification (S13)" signed \
  --annotation hardrun.verified=true --annotation "io.kubernetes.cri-o.ImageRef=${D[gpg]}" \
  --annotation "io.kubernetes.cri-o.ImageName=$R/adm/gpg@${D[gpg]}"
deny not-hardened "$CFG" "$POLICY" "$R/adm/gpg@${D[gpg]}" \
  "GPG-signed and pinned, but started without the shim" not-hardened --no-shim
allow exception "$CFG_EXC" "$POLICY" "$R/adm/gpg@${D[unsigned]}" "unsigned, excepted by digest"
deny exception-other-digest "$CFG_EXC" "$POLICY" "$R/adm/gpg@${D[wrongkey]}" \
  "the exception names another digest" signed

# warn: runs, and the hook reports the deny (runc shows hook stderr only on failure, so the
# report is checked by running the hook on the state captured for that container).
ctr_run warn-unsigned "$CFG_WARN" "$POLICY" "$R/adm/gpg@${D[unsigned]}"
if [[ $RC == 0 && $RAN == yes ]]; then
  report ok warn-unsigned "warn mode: an unsigned image runs"
else
  report not-ok warn-unsigned "warn mode: want it to run; podman rc $RC, canary $RAN"
  diag "$ERR"
fi
WARN_ID=$(pm inspect --format '{{.Id}}' warn-unsigned 2>/dev/null || true)

# --- the hook on captured states and on copies of the store --------------------------------------
# hook CONFIG POLICY STATE-FILE: runs hardrun-hook as runc would (cwd = bundle, pinned env);
# leaves HRC and HERR.
hook() { # config policy state-file [cwd]
  HERR=$WORK/out/hook.$N.err
  HRC=0
  (cd "${4:-/}" && env -i PATH=/usr/sbin:/usr/bin LC_ALL=C \
    "$HARDRUN_HOOK" --config "$1" --signature-policy "$2" <"$3" >/dev/null 2>"$HERR") || HRC=$?
}
hook_allow() { # name what config policy state [cwd]
  hook "$3" "$4" "$5" "${6:-/}"
  if [[ $HRC == 0 ]]; then report ok "$1" "$2: allowed"; else
    report not-ok "$1" "$2: want allow, hook exit $HRC"
    diag "$HERR"
  fi
}
# hook_deny NAME WHAT RULES CONFIG POLICY STATE [CWD]: a deny line whose rule is one of RULES
# (a|b), and a non-zero exit.
hook_deny() {
  local got
  hook "$4" "$5" "$6" "${7:-/}"
  got=$(deny_rule "$HERR")
  if [[ $HRC != 0 ]] && LC_ALL=C grep -qE "^$DENY_RE" "$HERR" && rule_in "$got" "$3"; then
    report ok "$1" "$2: denied (exit $HRC, rule $got)"
  else
    report not-ok "$1" "$2: want exit != 0 and a deny line with rule $3; exit $HRC, rule '$got'"
    diag "$HERR"
  fi
}

if [[ -n $WARN_ID && -s $STATES/$WARN_ID.json ]]; then
  hook "$CFG_WARN" "$POLICY" "$STATES/$WARN_ID.json"
  if [[ $HRC == 0 ]] && grep -qi 'warn' "$HERR" && grep -q 'hardrun-hook' "$HERR"; then
    report ok warn-report "warn mode: the hook exits 0 and reports the deny on stderr"
  else
    report not-ok warn-report "warn mode: want exit 0 and a warn report, exit $HRC"
    diag "$HERR"
  fi
  hook_deny warn-same-enforce "the same state under enforce" 'signed' "$CFG" "$POLICY" "$STATES/$WARN_ID.json"
else
  report not-ok warn-report "no state captured for the warn-mode container"
fi
pm rm --force warn-unsigned >/dev/null 2>&1 || true

# A kept container (allowed, exited) of each signed image, for the state and storage rows.
keep() { # name ref
  ctr_run "$1" "$CFG" "$POLICY" "$2"
  [[ $RC == 0 && $RAN == yes ]] || { diag "$ERR"; return 1; }
  pm inspect --format '{{.Id}}' "$1"
}
if ! GPG_ID=$(keep kept-gpg "$R/adm/gpg@${D[gpg]}") ||
  ! COSIGN_ID=$(keep kept-cosign "$R/adm/cosign@${D[cosign]}") ||
  ! TAMPER_ID=$(keep kept-tamper "$R/adm/gpg@${D[tamper]}"); then
  report not-ok kept-containers "signed containers did not run; the state and storage rows cannot run"
else
  S_GPG=$STATES/$GPG_ID.json
  S_COSIGN=$STATES/$COSIGN_ID.json
  hook_allow state-captured "state captured from runc, run directly" "$CFG" "$POLICY" "$S_GPG" \
    "$GRAPHROOT/overlay-containers/$GPG_ID/userdata"
  # S9: crun's flavour of the state
  jq -c '.ociVersion = "1.0" | .status = "created" | .root = {path: "rootfs"}' "$S_GPG" >"$WORK/s9.json"
  hook_allow state-crun-style "crun-style state (S9)" "$CFG" "$POLICY" "$WORK/s9.json"
  # S7: the id of one container with the bundle of another
  jq -c --arg id "$COSIGN_ID" '.id = $id' "$S_GPG" >"$WORK/s7.json"
  hook_deny state-id-mismatch "state id of another container than the bundle's (S7)" 'bundle|identity|state' "$CFG" "$POLICY" "$WORK/s7.json"
  # S8: bundle through a symlink; relative bundle
  ln -s "$GRAPHROOT/overlay-containers/$GPG_ID/userdata" "$WORK/bundle-link"
  jq -c --arg b "$WORK/bundle-link" '.bundle = $b' "$S_GPG" >"$WORK/s8a.json"
  hook_deny state-bundle-symlink "bundle path through a symlink (S8)" 'bundle' "$CFG" "$POLICY" "$WORK/s8a.json"
  jq -c --arg b "overlay-containers/$GPG_ID/userdata" '.bundle = $b' "$S_GPG" >"$WORK/s8b.json"
  hook_deny state-bundle-relative "relative bundle path (S8)" 'bundle|state' "$CFG" "$POLICY" "$WORK/s8b.json" "$GRAPHROOT"
  # Policy rows (§4.3) on a signed image
  hook_deny policy-missing "policy file missing (P1)" 'trust-policy' "$CFG" "$WORK/no-such-policy.json" "$S_GPG"
  echo '{}' >"$WORK/policy-empty.json"
  hook_deny policy-empty "policy {} (P2)" 'trust-policy|policy-reject|policy-unsupported' "$CFG" "$WORK/policy-empty.json" "$S_GPG"
  printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s":[{"type":"signedBy",' "$R/adm/gpg" >"$WORK/policy-trunc.json"
  hook_deny policy-truncated "policy truncated mid-write (P3/P9)" 'trust-policy' "$CFG" "$WORK/policy-trunc.json" "$S_GPG"
  jq '.default[0].requireDigset = true' "$POLICY" >"$WORK/policy-typo.json"
  hook_deny policy-unknown-key "policy with an unknown key (P4)" 'trust-policy' "$CFG" "$WORK/policy-typo.json" "$S_GPG"
  policy_write "$WORK/policy-reject.json" "$R/adm/gpg" '{"type":"reject"}'
  hook_deny policy-reject "scope says reject" 'policy-reject' "$CFG" "$WORK/policy-reject.json" "$S_GPG"
  policy_write "$WORK/policy-keyless.json" "$R/adm/cosign" \
    '{"type":"sigstoreSigned","fulcio":{"caPath":"/nonexistent/ca.pem","oidcIssuer":"https://issuer.invalid","subjectEmail":"a@example.invalid"},"rekorPublicKeyPath":"/nonexistent/rekor.pub"}'
  hook_deny policy-keyless "keyless (fulcio/rekor) requirement, not supported" 'keyless-unsupported' "$CFG" "$WORK/policy-keyless.json" "$S_COSIGN"
  policy_write "$WORK/policy-wrongtype.json" "$R/adm/cosign" "$(req_gpg "$TRUSTED_GPG")"
  hook_deny policy-format-mismatch "sigstore-signed image under a signedBy (GPG) requirement (G4)" 'signed' "$CFG" \
    "$WORK/policy-wrongtype.json" "$S_COSIGN"
  policy_write "$WORK/policy-exact.json" "$R/adm/gpg" \
    "$(req_gpg "$TRUSTED_GPG" "{\"type\":\"matchExact\"}")"
  hook_deny policy-match-exact "matchExact: a digest run against a tag identity" 'signed-identity' "$CFG" "$WORK/policy-exact.json" "$S_GPG"

  # Rows on a copy of the store (the live store is never modified): clone C for container ID.
  # bigdata FILE-KEY: the big-data file name of a key (formats.md §4.2).
  bigdata_name() { # key
    if [[ $1 =~ ^[.0-9a-z]+$ ]]; then printf '%s\n' "$1"; else printf '=%s\n' "$(printf '%s' "$1" | base64 -w0)"; fi
  }
  clone() { # name id -> prints the state file for the clone
    local dir=$WORK/clones/$1
    storage_clone "$GRAPHROOT" "$dir" "$2"
    jq -c --arg b "$dir/overlay-containers/$2/userdata" '.bundle = $b' "$STATES/$2.json" >"$dir.state.json"
    printf '%s\n' "$dir"
  }
  TD=${D[tamper]}
  TI=$(pm image inspect --format '{{.Id}}' "$R/adm/gpg@$TD")
  C=$(clone control "$TAMPER_ID")
  hook_allow clone-control "an unmodified copy of the store" "$CFG" "$POLICY" "$C.state.json"
  # I4: the stored manifest no longer hashes to the digest
  C=$(clone manifest-modified "$TAMPER_ID")
  printf ' ' >>"$C/overlay-images/$TI/$(bigdata_name "manifest-$TD")"
  hook_deny manifest-digest-mismatch "stored manifest bytes changed (I4)" 'manifest-digest' "$CFG" "$POLICY" "$C.state.json"
  # I5: the container's image is another image that holds the signed manifest and signature
  C=$(clone config-mismatch "$TAMPER_ID")
  OI=${IMG_ID[unsigned]}
  for key in "manifest-$TD" "signature-${TD#sha256:}"; do
    cp -- "$C/overlay-images/$TI/$(bigdata_name "$key")" "$C/overlay-images/$OI/$(bigdata_name "$key")"
  done
  jq -c --arg oi "$OI" --arg ti "$TI" --arg d "$TD" '
    (map(select(.id == $ti))[0]) as $t |
    map(if .id == $oi then
      ."big-data-names" += ["manifest-\($d)", "signature-\($d[7:])"]
      | ."big-data-digests" += {("manifest-\($d)"): $t."big-data-digests"["manifest-\($d)"],
                               ("signature-\($d[7:])"): $t."big-data-digests"["signature-\($d[7:])"]}
      | ."big-data-sizes" += {("manifest-\($d)"): $t."big-data-sizes"["manifest-\($d)"],
                             ("signature-\($d[7:])"): $t."big-data-sizes"["signature-\($d[7:])"]}
      | .metadata = (.metadata | fromjson | ."signatures-sizes" += {($d): ($t.metadata | fromjson | ."signatures-sizes"[$d])} | tojson)
      else . end)' "$C/overlay-images/images.json" >"$C/images.json.new"
  mv -f "$C/images.json.new" "$C/overlay-images/images.json"
  jq -c --arg id "$TAMPER_ID" --arg oi "$OI" '
    map(if .id == $id then .image = $oi | .metadata = (.metadata | fromjson | ."image-id" = $oi | tojson) else . end)' \
    "$C/overlay-containers/containers.json" >"$C/containers.json.new"
  mv -f "$C/containers.json.new" "$C/overlay-containers/containers.json"
  hook_deny config-digest-mismatch "signed manifest's config is not the container's image (I5)" 'config-digest' "$CFG" "$POLICY" "$C.state.json"
  # G8: one byte of the stored signature flipped
  SIGFILE=$(bigdata_name "signature-${TD#sha256:}")
  C=$(clone signature-corrupt "$TAMPER_ID")
  f=$C/overlay-images/$TI/$SIGFILE
  size=$(stat -c %s "$f")
  printf '\x55' | dd of="$f" bs=1 seek=$((size - 20)) conv=notrunc status=none
  hook_deny signature-corrupt "stored GPG signature with a flipped byte (G8)" 'signed' "$CFG" "$POLICY" "$C.state.json"
  # signatures-sizes that do not cover the blob
  set_sizes() { # clone-dir json-or-null
    jq -c --arg ti "$TI" --arg d "$TD" --argjson s "$2" '
      map(if .id == $ti then .metadata = (.metadata | fromjson |
        if $s == null then del(."signatures-sizes"[$d]) | del(."signature-sizes") else ."signatures-sizes"[$d] = $s end | tojson)
      else . end)' "$1/overlay-images/images.json" >"$1/images.json.new"
    mv -f "$1/images.json.new" "$1/overlay-images/images.json"
  }
  C=$(clone sizes-short "$TAMPER_ID")
  size=$(stat -c %s "$C/overlay-images/$TI/$SIGFILE")
  set_sizes "$C" "[$((size - 1))]"
  hook_deny signature-sizes-short "signatures-sizes not covering the blob" 'signature-sizes|identity|signed' "$CFG" "$POLICY" "$C.state.json"
  C=$(clone sizes-missing "$TAMPER_ID")
  set_sizes "$C" null
  hook_allow signature-sizes-missing "signatures-sizes lost (§4.4): the blob is one signature" "$CFG" "$POLICY" "$C.state.json"
  # G9: 101 copies of the valid signature
  C=$(clone too-many "$TAMPER_ID")
  f=$C/overlay-images/$TI/$SIGFILE
  cp -- "$f" "$WORK/one.sig"
  for ((i = 1; i < 101; i++)); do cat "$WORK/one.sig"; done >>"$f"
  set_sizes "$C" "$(jq -cn --argjson n "$size" '[range(0; 101) | $n]')"
  hook_deny signature-too-many "101 signatures for one digest (G9)" 'signature-limit' "$CFG" "$POLICY" "$C.state.json"
  # A stored GPG blob carrying two signatures (the signed message signed twice) (G6)
  C=$(clone two-signatures "$TAMPER_ID")
  f=$C/overlay-images/$TI/$SIGFILE
  gpg --batch --quiet --decrypt "$WORK/one.sig" 2>/dev/null >"$WORK/payload.json"
  gpg --batch --quiet --yes --compress-algo none -u "$GPG_FPR" -u "$GPG_OTHER_FPR" --sign \
    --output "$WORK/two.sig" "$WORK/payload.json"
  cp -- "$WORK/two.sig" "$f"
  set_sizes "$C" "[$(stat -c %s "$f")]"
  hook_deny signature-two-signers "one OpenPGP blob with two signatures (G6)" 'signed' "$CFG" "$POLICY" "$C.state.json"

  # Stored sigstore blobs (formats.md §4.3) written into a copy of the cosign container's
  # store: \0sigstore-json\n{"mimeType",payload (base64),"annotations" (signature)}.
  CD=${D[cosign]}
  CI=$(pm image inspect --format '{{.Id}}' "$R/adm/cosign@$CD")
  sigstore_blob() { # payload-file key
    local p s
    p=$(base64 -w0 <"$1")
    s=$(openssl dgst -sha256 -sign "$2" "$1" | base64 -w0)
    printf '\0sigstore-json\n{"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json","payload":"%s","annotations":{"dev.cosignproject.cosign/signature":"%s"}}' "$p" "$s"
  }
  sigstore_row() { # name allow|deny what payload-file
    local c f
    c=$(clone "$1" "$COSIGN_ID")
    cat -- "$4" >"$c.payload"
    f=$c/overlay-images/$CI/$(bigdata_name "signature-${CD#sha256:}")
    sigstore_blob "$c.payload" "$SIGN_DIR/cosign.key" >"$f"
    jq -c --arg ci "$CI" --arg d "$CD" --argjson n "$(stat -c %s "$f")" '
      map(if .id == $ci then .metadata = (.metadata | fromjson | ."signatures-sizes"[$d] = [$n] | tojson) else . end)' \
      "$c/overlay-images/images.json" >"$c/images.json.new"
    mv -f "$c/images.json.new" "$c/overlay-images/images.json"
    if [[ $2 == allow ]]; then
      hook_allow "$1" "$3" "$CFG" "$POLICY" "$c.state.json"
    else
      hook_deny "$1" "$3" signed "$CFG" "$POLICY" "$c.state.json"
    fi
  }
  sigstore_payload "$R/adm/cosign:v1" "$CD" >"$WORK/p-good"
  sigstore_row sigstore-stored-control allow "a stored sigstore blob written by the test (control)" "$WORK/p-good"
  sigstore_row sigstore-type-gpg deny "sigstore blob whose payload type is 'atomic container signature' (G4)" \
    <(sed 's/cosign container image signature/atomic container signature/' "$WORK/p-good")
  sigstore_row sigstore-trailing deny "payload with trailing data after the JSON (G7)" \
    <(cat "$WORK/p-good"; printf ' {}')
  sigstore_row sigstore-dup-key deny "payload with a duplicate docker-manifest-digest key (G7)" \
    <(sed "s/\"docker-manifest-digest\":\"$CD\"/\"docker-manifest-digest\":\"${D[gpg]}\",\"docker-manifest-digest\":\"$CD\"/" "$WORK/p-good")
  sigstore_row sigstore-extra-critical deny "payload with an extra critical field (G7)" \
    <(sed 's/"type":"cosign container image signature"}/"type":"cosign container image signature","extra":1}/' "$WORK/p-good")
  C=$(clone sigstore-bad-b64 "$COSIGN_ID")
  f=$C/overlay-images/$CI/$(bigdata_name "signature-${CD#sha256:}")
  sed -i 's/"dev.cosignproject.cosign\/signature":"/&%%%/' "$f"
  jq -c --arg ci "$CI" --arg d "$CD" --argjson n "$(stat -c %s "$f")" '
    map(if .id == $ci then .metadata = (.metadata | fromjson | ."signatures-sizes"[$d] = [$n] | tojson) else . end)' \
    "$C/overlay-images/images.json" >"$C/images.json.new"
  mv -f "$C/images.json.new" "$C/overlay-images/images.json"
  hook_deny sigstore-bad-base64 "sigstore signature that is not base64 (G8)" 'signed' "$CFG" "$POLICY" "$C.state.json"
fi
pm rm --force kept-gpg kept-cosign kept-tamper >/dev/null 2>&1 || true

# --- hardrun verify: the same decision from the command line ------------------------------------
HARDRUN_BIN=${HARDRUN_BIN:-$HARDRUN_SOURCE_DIR/build/launcher/hardrun}
verify() { # expect-rc name what ref [extra args]
  local want=$1 name=$2 what=$3 ref=$4 rc=0
  shift 4
  "$HARDRUN_BIN" verify --config "$CFG" --signature-policy "$POLICY" --root "$GRAPHROOT" "$@" "$ref" >"$WORK/verify.out" 2>&1 || rc=$?
  if [[ $rc == "$want" ]]; then report ok "$name" "$what (exit $rc)"; else
    report not-ok "$name" "$what: exit $rc, want $want: $(head -c 300 "$WORK/verify.out")"
  fi
}
verify 0 verify-gpg "hardrun verify allows the GPG-signed image" "$R/adm/gpg@${D[gpg]}"
grep -q "signer: *$GPG_FPR" "$WORK/verify.out" 2>/dev/null && report ok verify-gpg-signer "verify names the signer's fingerprint" \
  || report not-ok verify-gpg-signer "no signer $GPG_FPR in: $(head -c 300 "$WORK/verify.out")"
verify 0 verify-cosign "hardrun verify allows the sigstore-signed image" "$R/adm/cosign@${D[cosign]}"
verify 1 verify-unsigned "hardrun verify denies the unsigned image" "$R/adm/gpg@${D[unsigned]}"
grep -q "rule: *signed" "$WORK/verify.out" && report ok verify-unsigned-rule "verify explains the rule (signed)" \
  || report not-ok verify-unsigned-rule "no 'rule: signed' in: $(head -c 300 "$WORK/verify.out")"
verify 3 verify-tag "hardrun verify refuses a tag (not pinned)" "$R/adm/gpg:v1"
verify 1 verify-json "hardrun verify --json on the replayed signature" "$R/adm/gpg@${D[replay]}" --json
jq -e '.verdict == "deny" and .rule == "signed-digest"' "$WORK/verify.out" >/dev/null \
  && report ok verify-json-rule "verify --json: verdict deny, rule signed-digest" \
  || report not-ok verify-json-rule "verify --json: $(head -c 300 "$WORK/verify.out")"

# --- hardrun install-hook: the hooks.d file podman runs -----------------------------------------
INSTALL_DIR=$WORK/installed-hooks
mkdir -p "$INSTALL_DIR"
jq --arg h "$HARDRUN_HOOK" '. + {hookPath: $h}' "$CFG" >"$WORK/hardrun-install.json"
chmod 0644 "$WORK/hardrun-install.json"
rc=0
"$HARDRUN_BIN" install-hook --config "$WORK/hardrun-install.json" --hooks-dir "$INSTALL_DIR" >"$WORK/install.out" 2>&1 || rc=$?
if [[ $rc == 0 ]] && jq -e --arg h "$HARDRUN_HOOK" '.version == "1.0.0" and .hook.path == $h and .hook.timeout > 10
    and (.hook.env | index("PATH=/usr/sbin:/usr/bin")) != null and .stages == ["prestart"] and .when.always == true' \
    "$INSTALL_DIR/00-hardrun.json" >/dev/null; then
  report ok install-hook "install-hook writes a hooks.d 1.0.0 file with path, pinned env, timeout"
else
  report not-ok install-hook "exit $rc: $(cat "$WORK/install.out")"
fi
# The installed file is what podman runs: an unsigned image is denied through it.
rm -f "$PODMAN_DIR/hooks/"*.json
cp "$INSTALL_DIR/00-hardrun.json" "$PODMAN_DIR/hooks/"
rc=0
pm --runtime "$HARDRUN_RUNTIME" --runtime-flag "hardrun-config=$WORK/hardrun-install.json" run --name installed-hook \
  "${RUNOPTS[@]}" "${USERNS[@]}" "$R/adm/gpg@${D[unsigned]}" /bin/sh -c 'echo RAN-INSTALLED' \
  >"$WORK/installed.out" 2>"$WORK/installed.err" </dev/null || rc=$?
pm rm --force installed-hook >/dev/null 2>&1 || true
if [[ $rc != 0 ]] && ! grep -q RAN-INSTALLED "$WORK/installed.out" && grep -q "hardrun-hook: deny: signed" "$WORK/installed.err"; then
  report ok install-hook-denies "podman with the installed hooks.d file denies an unsigned image"
else
  report not-ok install-hook-denies "rc $rc: $(head -c 300 "$WORK/installed.err")"
fi
rm -f "$PODMAN_DIR/hooks/00-hardrun.json"
rc=0
"$HARDRUN_BIN" install-hook --config "$WORK/hardrun-install.json" --hooks-dir "$WORK/nohook" >/dev/null 2>&1 || true
jq --arg h "$WORK/missing-hook" '. + {hookPath: $h}' "$CFG" >"$WORK/hardrun-missing.json"
chmod 0644 "$WORK/hardrun-missing.json"
"$HARDRUN_BIN" install-hook --config "$WORK/hardrun-missing.json" --hooks-dir "$WORK/nohook2" >/dev/null 2>&1 || rc=$?
[[ $rc == 1 && ! -e $WORK/nohook2/00-hardrun.json ]] && report ok install-hook-missing "install-hook refuses a missing hook binary (podman would skip it: E5)" \
  || report not-ok install-hook-missing "exit $rc"

# --- podman save / load -------------------------------------------------------------------------
# An oci-archive keeps the registry manifest (digest D) but no signature; a docker-archive gets
# a new manifest. Loaded into an empty store, the copy runs by digest only when the hook finds
# D's signature (here: in the lookaside named by registriesDir).
echo "# podman save / podman load"
pm save --quiet --format oci-archive -o "$WORK/gpg.oci.tar" "$R/adm/gpg@${D[gpg]}"
pm save --quiet --format docker-archive -o "$WORK/gpg.docker.tar" "$R/adm/gpg@${D[gpg]}"
pm rm --all --force >/dev/null 2>&1 || true
pm rmi --all --force >/dev/null 2>&1 || true
pm load --quiet -i "$WORK/gpg.oci.tar" >/dev/null || die "podman load of the oci-archive failed"
sizes=$(jq -r --arg d "${D[gpg]}" '.[] | .metadata | fromjson | ."signatures-sizes"[$d] // empty | length' \
  "$GRAPHROOT/overlay-images/images.json")
if [[ $sizes == 0 ]]; then
  report ok load-stores-no-signature "oci-archive load keeps digest ${D[gpg]:7:12} and stores no signature"
else
  report not-ok load-stores-no-signature "after load, signatures-sizes for the digest: '$sizes' (want 0)"
fi
deny loaded-without-signature "$CFG" "$POLICY" "$R/adm/gpg@${D[gpg]}" \
  "loaded copy by digest, its signature nowhere the hook looks" signed
allow loaded-with-lookaside "$CFG_LOOKASIDE" "$POLICY" "$R/adm/gpg@${D[gpg]}" \
  "loaded copy by digest, its signature in the configured lookaside"
pm rmi --all --force >/dev/null 2>&1 || true
LOADED=$(pm load --quiet -i "$WORK/gpg.docker.tar" | sed -n 's/^Loaded image: //p' | head -n 1)
LOADED_DIGEST=$(pm image inspect --format '{{.Digest}}' "$LOADED")
if [[ $LOADED_DIGEST != "${D[gpg]}" ]]; then
  pm tag "$LOADED" "$R/adm/gpg:loaded"
  deny loaded-docker-archive "$CFG_LOOKASIDE" "$POLICY" "$R/adm/gpg@$LOADED_DIGEST" \
    "docker-archive load: a new digest nobody signed" signed
else
  report not-ok loaded-docker-archive "docker-archive load kept the registry digest; the row has no subject"
fi

tap_finish
