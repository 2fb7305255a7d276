#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The start-up cost of hardrun-runtime (every container create) and hardrun-hook (every start)
# depends on what the dynamic linker must load and relocate (README.md "Performance"). This
# keeps what was removed from coming back unnoticed:
#   hardrun-runtime: no libsystemd (dlopened on a refusal), no libcrypto, no libstdc++;
#   hardrun-hook:    no libsystemd, no librnp (both dlopened when needed), no libstdc++.
# libstdc++ is allowed in sanitizer builds (their runtimes expect the shared one).
# Usage: linkage.sh RUNTIME HOOK SANITIZE(ON|OFF)
set -euo pipefail
runtime=$1 hook=$2 sanitize=$3
command -v readelf >/dev/null || { echo "linkage.sh: readelf (binutils) is needed" >&2; exit 1; }
rc=0
needed() { readelf -d -- "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
check() {
  local bin=$1; shift
  local libs; libs=$(needed "$bin")
  [[ -n $libs ]] || { echo "not ok: $bin: readelf shows no NEEDED entries" >&2; rc=1; return; }
  local bad
  for bad in "$@"; do
    if grep -q "^$bad" <<<"$libs"; then
      echo "not ok: $(basename "$bin") links $bad: $(tr '\n' ' ' <<<"$libs")" >&2
      rc=1
    else
      echo "ok: $(basename "$bin") does not link $bad"
    fi
  done
}
stdcxx=(libstdc++)
[[ $sanitize == ON ]] && stdcxx=()
check "$runtime" libsystemd libcrypto "${stdcxx[@]}"
check "$hook" libsystemd librnp "${stdcxx[@]}"
exit "$rc"
