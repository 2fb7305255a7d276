#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build the Debian package reproducibly: contrib/package.sh [BUILD_DIR [OUT_DIR]]
# A release build (tests off, paths mapped out of the binaries, prefix /usr) in BUILD_DIR
# (default build-deb), then `cpack -G DEB`; prints the path of hardrun_*.deb in OUT_DIR
# (default BUILD_DIR). SOURCE_DATE_EPOCH defaults to the time of the last commit, so two builds
# of the same commit give the same bytes (tests/integration/package.sh checks it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-deb}
OUT=${2:-$BUILD}
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null) ||
    { echo "package.sh: not a git checkout: set SOURCE_DATE_EPOCH" >&2; exit 2; }
fi
export SOURCE_DATE_EPOCH
# The build's own umask and locale must not reach file modes or sort orders.
umask 022
export LC_ALL=C TZ=UTC
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  -DHARDRUN_TESTS=OFF -DHARDRUN_MAN=ON -DHARDRUN_REPRODUCIBLE=ON >/dev/null
cmake --build "$BUILD" -j "${JOBS:-2}" >/dev/null
mkdir -p "$OUT"
(cd "$BUILD" && cpack -G DEB -B "$OUT" >/dev/null)
rm -rf "$OUT/_CPack_Packages"
ls "$OUT"/hardrun_*.deb
