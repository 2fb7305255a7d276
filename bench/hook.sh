#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# hardrun-hook benchmark (not a test: it never fails on a missed target). In one run it builds
# a GPG-signed and a sigstore-signed image (private registry on 127.0.0.1, as the admission
# tier does), starts one container of each through hardrun-runtime with the hook in the hooks
# dir, captures their OCI states, and then times the hook fed those states directly, on copies
# of the store holding 10 and 1000 images and containers, against a gpgv and an
# `openssl dgst -verify` process on the same signatures, measured in the same run. Prints a
# table and pass/miss per target (bench/README.md).
#
# Usage: bench/hook.sh [-n RUNS] [--build DIR]   (root; RUNS default 200; DIR default build)
# Environment: HARDRUN_HOOK, HARDRUN_RUNTIME override the binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=200
BUILD=$ROOT/build
while (($#)); do
  case $1 in
    -n) RUNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    -h | --help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "hook.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
HOOK=${HARDRUN_HOOK:-$BUILD/hook/hardrun-hook}
RUNTIME=${HARDRUN_RUNTIME:-$BUILD/launcher/hardrun-runtime}
PROFILE=$ROOT/tests/data/profiles/test.json
LIB=$ROOT/tests/integration/lib

die() { echo "hook.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (rootful podman with a private store)"
[[ -x $HOOK ]] || die "no hook binary at $HOOK (build target hardrun_hook, or set HARDRUN_HOOK)"
[[ -x $RUNTIME ]] || die "no runtime shim at $RUNTIME (build target hardrun_runtime, or set HARDRUN_RUNTIME)"
for c in podman skopeo gpg gpgv openssl jq /usr/bin/time /usr/bin/docker-registry /bin/busybox; do
  command -v "$c" >/dev/null 2>&1 || die "$c is needed"
done
((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 (EPOCHREALTIME)"
HOOK=$(realpath -- "$HOOK")
RUNTIME=$(realpath -- "$RUNTIME")

# shellcheck source-path=SCRIPTDIR/../tests/integration/lib source=podman.sh
source "$LIB/podman.sh"
# shellcheck source-path=SCRIPTDIR/../tests/integration/lib source=registry.sh
source "$LIB/registry.sh"
# shellcheck source-path=SCRIPTDIR/../tests/integration/lib source=hookrun.sh
source "$LIB/hookrun.sh"

fixture_init hardrun-bench || die "cannot set up a private podman"
trap fixture_cleanup EXIT
trap 'exit 130' INT TERM

echo "# setting up (registry, keys, two signed images, one container each)" >&2
registry_start "$WORK/registry" || die "cannot start docker-registry"
signing_init "$WORK/sign"
FPR=$(gpg_key_create bench) || die "cannot create a GPG key"
sigstore_key_create cosign || die "cannot create a sigstore key"
registries_d_write "$WORK/registries.d" "$WORK/lookaside" attachments
home_with_registries_d "$WORK/home" "$REGISTRIES_D"
mkdir -p "$WORK/registries-empty.d"
R=$REGISTRY
busybox_image localhost/bench-gpg:latest gpg >/dev/null || die "cannot import an image"
busybox_image localhost/bench-cosign:latest cosign >/dev/null || die "cannot import an image"
DG=$(push_image localhost/bench-gpg:latest "$R/bench/gpg:v1" "$FPR") || die "push failed"
DC=$(push_image localhost/bench-cosign:latest "$R/bench/cosign:v1") || die "push failed"
sigstore_attach bench/cosign "$DC" "$SIGN_DIR/cosign.key" "$R/bench/cosign:v1" || die "cannot attach the sigstore signature"
pull_image "$WORK/home" "$R/bench/gpg@$DG" || die "pull failed"
pull_image "$WORK/home" "$R/bench/cosign@$DC" || die "pull failed"
POLICY=$WORK/policy.json
policy_write "$POLICY" "$R/bench/gpg" "$(req_gpg "$SIGN_DIR/bench.gpg")" \
  "$R/bench/cosign" "$(req_sigstore "$SIGN_DIR/cosign.pub")"
# The same sigstore requirement alone: a sigstore-only policy never loads librnp (the combined
# one does, at policy load, before the hook's sandbox), so it is timed separately.
POLICY_SIGSTORE=$WORK/policy-sigstore.json
policy_write "$POLICY_SIGSTORE" "$R/bench/cosign" "$(req_sigstore "$SIGN_DIR/cosign.pub")"
CFG=$WORK/hardrun.json
hardrun_config_write "$CFG" enforce "$POLICY" "$WORK/registries-empty.d" "$PROFILE" "$HOOK"
hook_json_write "$PODMAN_DIR/hooks" "$HOOK" "$CFG" "$POLICY"
capture_hook_write "$PODMAN_DIR/hooks" "$WORK/states"

container() { # name ref -> id
  pm --runtime "$RUNTIME" --runtime-flag "hardrun-config=$CFG" run --name "$1" --pull never \
    --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$2" true >/dev/null 2>"$WORK/$1.err" ||
    { cat "$WORK/$1.err" >&2; die "the $1 container did not run (see above)"; }
  pm inspect --format '{{.Id}}' "$1"
}
ID_GPG=$(container bench-gpg "$R/bench/gpg@$DG")
ID_COSIGN=$(container bench-cosign "$R/bench/cosign@$DC")

# Copies of the store with N images and N containers in all (2 real ones of each).
prepare() { # name id entries
  local dir=$WORK/clones/$1
  storage_clone "$GRAPHROOT" "$dir" "$2"
  storage_inflate "$dir" $(($3 - 2))
  jq -c --arg b "$dir/overlay-containers/$2/userdata" '.bundle = $b' "$WORK/states/$2.json" >"$dir.state"
}
prepare gpg10 "$ID_GPG" 10
prepare gpg1000 "$ID_GPG" 1000
prepare cosign10 "$ID_COSIGN" 10
prepare cosign1000 "$ID_COSIGN" 1000

# The same signatures for the baselines, from the store: GPG blob; sigstore payload + DER.
img_dir() { printf '%s/overlay-images/%s\n' "$GRAPHROOT" "$(pm image inspect --format '{{.Id}}' "$1")"; }
sigfile() { printf '=%s\n' "$(printf 'signature-%s' "${1#sha256:}" | base64 -w0)"; }
cp -- "$(img_dir "$R/bench/gpg@$DG")/$(sigfile "$DG")" "$WORK/gpg.sig"
tail -c +16 "$(img_dir "$R/bench/cosign@$DC")/$(sigfile "$DC")" >"$WORK/sigstore.json"
jq -j .payload "$WORK/sigstore.json" | base64 -d >"$WORK/payload"
jq -j '.annotations["dev.cosignproject.cosign/signature"]' "$WORK/sigstore.json" | base64 -d >"$WORK/sig.der"
gpgv --keyring "$SIGN_DIR/bench.gpg" --output /dev/null "$WORK/gpg.sig" 2>/dev/null ||
  die "gpgv does not verify the stored GPG signature"
openssl dgst -sha256 -verify "$SIGN_DIR/cosign.pub" -signature "$WORK/sig.der" "$WORK/payload" >/dev/null ||
  die "openssl does not verify the stored sigstore signature"

# time_runs NAME CMD...: runs CMD RUNS times (stdin from $STDIN, cwd $CWD), wall time of each
# from bash's EPOCHREALTIME (no extra process), into $WORK/t.NAME (ms, one per line); sets
# LAST_RC to the exit status of the last run.
time_runs() {
  local name=$1 i t0 t1
  shift
  : >"$WORK/t.$name"
  for ((i = 0; i < RUNS; i++)); do
    t0=$EPOCHREALTIME
    LAST_RC=0
    "$@" <"${STDIN:-/dev/null}" >/dev/null 2>"$WORK/e.$name" || LAST_RC=$?
    t1=$EPOCHREALTIME
    echo "$((${t1/./} - ${t0/./}))" >>"$WORK/t.$name"
  done
}
pct() { # name percent -> ms with 3 decimals
  sort -n "$WORK/t.$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(p / 100 * (NR - 1)) + 1; printf "%.3f", v[i] / 1000 }'
}
rss() { # KiB peak of one run of CMD (stdin $STDIN)
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" <"${STDIN:-/dev/null}" >/dev/null 2>&1 || true
  tail -n 1 "$WORK/rss"
}

echo "# timing $RUNS runs per row" >&2
declare -A RSS VERDICT
for c in gpg10 gpg1000 cosign10 cosign1000 cosign10s; do
  STDIN=$WORK/clones/${c%s}.state
  pol=$POLICY
  [[ $c == *s ]] && pol=$POLICY_SIGSTORE
  (cd "$(jq -r .bundle "$STDIN")" && time_runs "$c" "$HOOK" --config "$CFG" --signature-policy "$pol"
    echo "$LAST_RC" >"$WORK/rc.$c")
  VERDICT[$c]=$([[ $(cat "$WORK/rc.$c") == 0 ]] && echo allow || echo "DENY(exit $(cat "$WORK/rc.$c"))")
  RSS[$c]=$(rss "$HOOK" --config "$CFG" --signature-policy "$pol")
done
STDIN=
time_runs gpgv gpgv --keyring "$SIGN_DIR/bench.gpg" --output /dev/null "$WORK/gpg.sig"
RSS[gpgv]=$(rss gpgv --keyring "$SIGN_DIR/bench.gpg" --output /dev/null "$WORK/gpg.sig")
time_runs openssl openssl dgst -sha256 -verify "$SIGN_DIR/cosign.pub" -signature "$WORK/sig.der" "$WORK/payload"
RSS[openssl]=$(rss openssl dgst -sha256 -verify "$SIGN_DIR/cosign.pub" -signature "$WORK/sig.der" "$WORK/payload")
time_runs true /bin/true
RSS[true]=$(rss /bin/true)

# --- report ---------------------------------------------------------------------------------
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
printf '\nhardrun-hook decision time, %d runs per row (wall ms per process, bash EPOCHREALTIME)\n' "$RUNS"
printf '%-40s %9s %9s %9s %9s %10s %10s  %s\n' row p50 p95 max "p50-true" "RSS KiB" "p50/base" verdict
row() { # label name baseline-name verdict
  printf '%-40s %9s %9s %9s %9s %10s %10s  %s\n' "$1" "$(pct "$2" 50)" "$(pct "$2" 95)" "$(pct "$2" 100)" \
    "$(minus "$(pct "$2" 50)" "$(pct true 50)")" "${RSS[$2]}" \
    "$([[ -n $3 ]] && ratio "$(pct "$2" 50)" "$(pct "$3" 50)" || echo -)" "$4"
}
row "hook, GPG, 10 entries" gpg10 gpgv "${VERDICT[gpg10]}"
row "hook, GPG, 1000 entries" gpg1000 gpgv "${VERDICT[gpg1000]}"
row "hook, sigstore, 10 entries" cosign10 openssl "${VERDICT[cosign10]}"
row "hook, sigstore, 1000 entries" cosign1000 openssl "${VERDICT[cosign1000]}"
row "hook, sigstore-only policy, 10 entries" cosign10s openssl "${VERDICT[cosign10s]}"
row "gpgv (same GPG signature)" gpgv "" baseline
row "openssl dgst -verify (same sig)" openssl "" baseline
row "/bin/true (process spawn floor)" true "" floor

printf '\ntargets\n'
target() { # description value limit
  printf '  %-60s %s\n' "$1" "$(le "$2" "$3" && echo pass || echo MISS)"
}
double() { awk -v a="$1" 'BEGIN { print 2 * a }'; }
target "sigstore decision p50 <= 2 ms ($(pct cosign10 50) ms)" "$(pct cosign10 50)" 2
target "  same, sigstore-only policy ($(pct cosign10s 50) ms)" "$(pct cosign10s 50)" 2
target "GPG decision p50 <= 3 ms ($(pct gpg10 50) ms)" "$(pct gpg10 50)" 3
target "GPG, 1000 entries p50 <= 2x 10 entries ($(ratio "$(pct gpg1000 50)" "$(pct gpg10 50)")x)" \
  "$(pct gpg1000 50)" "$(double "$(pct gpg10 50)")"
target "sigstore, 1000 entries p50 <= 2x 10 entries ($(ratio "$(pct cosign1000 50)" "$(pct cosign10 50)")x)" \
  "$(pct cosign1000 50)" "$(double "$(pct cosign10 50)")"
maxrss=$(printf '%s\n' "${RSS[gpg10]}" "${RSS[gpg1000]}" "${RSS[cosign10]}" "${RSS[cosign1000]}" "${RSS[cosign10s]}" |
  sort -n | tail -n 1)
target "hook peak RSS <= 10 MiB ($maxrss KiB)" "$maxrss" 10240
for c in gpg10 gpg1000 cosign10 cosign1000 cosign10s; do
  [[ ${VERDICT[$c]} == allow ]] || printf '  note: %s was %s, so its row times a deny: %s\n' "$c" "${VERDICT[$c]}" "$(head -c 300 "$WORK/e.$c")"
done
