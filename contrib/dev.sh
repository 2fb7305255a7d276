#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# One entry point for a fresh Debian 12 machine, run as root:
#   contrib/dev.sh deps    install the Debian packages hardrun builds and tests with
#   contrib/dev.sh build   deps + configure and build (g++, warnings as errors)
#   contrib/dev.sh test    build + every test tier: unit, integration on real runc/podman, all
#                          of them again under ASan+UBSan (clang 14, warnings as errors), e2e
#                          (systemd + quadlet), and the .deb (reproducible, installed on a
#                          fresh Debian 12 where hardrun doctor must pass)
#   contrib/dev.sh demo    build + contrib/demo.sh (harden a real podman config, run it with runc)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${HARDRUN_BUILD_DIR:-$ROOT/build}

# Everything the build, the tests and the demo use. Nothing else may be assumed on the machine.
PACKAGES=(
  g++ clang-14 libclang-rt-14-dev cmake ninja-build pkg-config
  nlohmann-json3-dev libcli11-dev catch2 libseccomp-dev libcap-ng-dev libsystemd-dev libexpected-dev
  scdoc man-db
  librnp-dev libssl-dev libyaml-dev libarchive-dev
  podman runc crun conmon uidmap busybox-static jq
  docker-registry skopeo gnupg openssl time strace
  mmdebstrap
  zsh fish dpkg-dev file
)

log() { printf 'dev.sh: %s\n' "$*" >&2; }

deps() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "all ${#PACKAGES[@]} packages present"
    return 0
  fi
  if [[ $(id -u) != 0 ]]; then
    log "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
    exit 1
  fi
  log "installing: ${missing[*]}"
  # With recommends: podman's network plugins and slirp4netns come that way on Debian 12.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() {
  deps
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHARDRUN_WERROR=ON -DHARDRUN_MAN=ON >/dev/null
  cmake --build "$BUILD"
}

# The asan preset's build (clang 14, ASan+UBSan, every report aborts) and every tier under it:
# unit tests with LeakSanitizer, the fuzz corpora replayed, the integration tiers with the
# instrumented shim, launcher and hook on real podman/runc. tests/fuzz/README.md says what the
# hook's sandbox changes (no leak check inside it).
sanitized_tiers() {
  local start=$SECONDS
  log "ASan+UBSan build (clang 14, warnings as errors): the unit tests, fuzz corpora and every integration tier but e2e and package"
  cmake -S "$ROOT" -B "$BUILD-asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHARDRUN_WERROR=ON \
    -DHARDRUN_SANITIZE=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DHARDRUN_MAN=OFF >/dev/null
  cmake --build "$BUILD-asan"
  (
    export HARDRUN_TEST_MUST_WORK=${HARDRUN_TEST_MUST_WORK:-$([[ $(id -u) == 0 ]] && echo 1 || echo 0)}
    export UBSAN_OPTIONS=print_stacktrace=1
    # Under the sanitizers: every unit test (LeakSanitizer on), the fuzz corpora, and every
    # integration tier; the e2e tier (a Debian root with its own podman 5, ~5 min) and the
    # package tier run once, in the g++ stage below.
    cd "$BUILD-asan" && ctest --output-on-failure -j2 -L unit &&
      ctest --output-on-failure -j2 -L integration -LE 'package|e2e'
  ) || { log "ASan+UBSan tiers failed"; exit 1; }
  log "ASan+UBSan stage: $((SECONDS - start)) s"
}

# The package tier: two clean release builds must give the same .deb bytes (repro), and that
# .deb installs on a fresh Debian 12 booted with systemd, where hardrun doctor passes (debian).
# The second half takes the first half's .deb rather than building a third time.
package_tier() {
  local start=$SECONDS work=$BUILD-package-work deb
  log "package tier: reproducible .deb, then installed on a fresh Debian 12"
  rm -rf "$work"
  cd "$BUILD"
  HARDRUN_PACKAGE_WORK=$work ctest --output-on-failure -R '^package_repro$'
  deb=$(ls "$work"/one/out/hardrun_*.deb)
  HARDRUN_DEB=$deb ctest --output-on-failure -R '^package_debian$'
  rm -rf "$work"
  log "package tier: $((SECONDS - start)) s"
}

test_all() {
  local start=$SECONDS
  build
  log "g++ build: $((SECONDS - start)) s"
  # clang 14 with warnings as errors is the sanitizer build's compiler: no separate clang build.
  sanitized_tiers
  log "all tiers with the g++ build"
  # Skips (exit 77: no root, no runc) become failures where the environment promises to have it all.
  export HARDRUN_TEST_MUST_WORK=${HARDRUN_TEST_MUST_WORK:-$([[ $(id -u) == 0 ]] && echo 1 || echo 0)}
  local tiers=$SECONDS
  (cd "$BUILD" && ctest --output-on-failure -j2 -LE package)
  log "g++ tiers: $((SECONDS - tiers)) s"
  package_tier
  log "all stages: $((SECONDS - start)) s"
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  test) test_all ;;
  demo)
    build
    HARDRUN_BIN="$BUILD/launcher/hardrun" exec bash "$ROOT/contrib/demo.sh"
    ;;
  *)
    sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
