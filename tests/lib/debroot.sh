#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A cached Debian root file system, built with mmdebstrap from the machine's own Debian mirror.
# Source it (defines functions only; sets no options) or run it as a command:
#
#   debroot SUITE VARIANT PACKAGES [OUTDIR]
#       SUITE     a Debian suite or codename (trixie, bookworm, ...)
#       VARIANT   an mmdebstrap --variant (minbase, apt, required, important, standard, ...)
#       PACKAGES  comma-separated packages for --include ("" for none); order and repeats do
#                 not matter (the list is sorted and deduplicated before it is hashed)
#       OUTDIR    optional: a directory that does not exist yet or is empty; the root is unpacked
#                 there (numeric owners, permissions and device nodes kept: needs root)
#     Prints the path of the cached tarball (an uncompressed tar of the root, usable as it is by
#     `podman import`) on stdout; returns 0, or 1 with one stderr line saying what failed and how
#     to fix it (mmdebstrap's own output goes to a log whose path that line names).
#
#   debroot_mirror      prints the Debian mirror URI: the first URI of the first `URIs:` line of
#                       /etc/apt/sources.list.d/debian.sources that is not a -security archive
#   debroot_key SUITE VARIANT PACKAGES
#                       prints the cache key (sha256 of suite, variant, sorted packages, mirror,
#                       architecture and format version)
#
# Cache: ${HARDRUN_DEBROOT_CACHE:-/var/cache/hardrun/debroot}/<key>.tar, and <key>.log (the
# last build's output), <key>.lock (flock: concurrent callers wait for one build). A cached root
# older than HARDRUN_DEBROOT_MAX_AGE_DAYS (default 30) is rebuilt, so its packages do not stay
# behind the archive forever; 0 = never rebuild. The tarball is built under a temporary name in
# the cache directory and renamed into place only when mmdebstrap succeeded: a crash or Ctrl-C
# never leaves a partial root under the real name. The root is as mmdebstrap makes it (no dpkg
# path-excludes: documentation and man pages of packages installed later land as usual), with
# only SUITE's main component and no -security archive.
#
# The mirror is read at run time, never written into a file (the machine may only reach its own
# mirror); HARDRUN_DEBROOT_MIRROR overrides it (a URI such as file:///srv/mirror or http://...).
# Needs mmdebstrap (contrib/dev.sh installs it), sha256sum, flock, tar.

debroot_err() {
  printf 'debroot: %s\n' "$*" >&2
  return 1
}

debroot_mirror() {
  local src=/etc/apt/sources.list.d/debian.sources uri
  if [[ -n ${HARDRUN_DEBROOT_MIRROR:-} ]]; then
    printf '%s\n' "$HARDRUN_DEBROOT_MIRROR"
    return 0
  fi
  [[ -r $src ]] || { debroot_err "cannot read $src to find the Debian mirror; set HARDRUN_DEBROOT_MIRROR=URI"; return 1; }
  uri=$(awk 'tolower($1) == "uris:" && $2 !~ /-security\/?$/ { print $2; exit }' "$src")
  [[ $uri =~ ^(https?|file):// ]] ||
    { debroot_err "no usable URIs: line in $src (found '${uri}'); set HARDRUN_DEBROOT_MIRROR=URI"; return 1; }
  printf '%s\n' "$uri"
}

# The sorted, deduplicated package list, comma-separated.
debroot_packages() { # packages
  tr ', ' '\n' <<<"$1" | sed '/^$/d' | LC_ALL=C sort -u | paste -sd, -
}

debroot_key() { # suite variant packages
  local mirror arch
  mirror=$(debroot_mirror) || return 1
  arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
  # "v2": bump when the way the root is built changes, so old caches are not reused.
  printf 'debroot v2\nsuite=%s\nvariant=%s\npackages=%s\nmirror=%s\narch=%s\n' \
    "$1" "$2" "$(debroot_packages "$3")" "$mirror" "$arch" | sha256sum | cut -d' ' -f1
}

debroot() { # suite variant packages [outdir]
  local suite=${1:-} variant=${2:-} pkgs=${3:-} out=${4:-}
  local cache=${HARDRUN_DEBROOT_CACHE:-/var/cache/hardrun/debroot} max_age=${HARDRUN_DEBROOT_MAX_AGE_DAYS:-30}
  local key mirror tar log tmp rc include=()
  if (($# < 3 || $# > 4)) || [[ ! $suite =~ ^[a-z][a-z0-9.-]*$ || ! $variant =~ ^[a-z-]+$ ]]; then
    debroot_err "usage: debroot SUITE VARIANT PKG1,PKG2,... [OUTDIR] (got: $*)"
    return 1
  fi
  [[ $pkgs =~ ^[a-z0-9.+:,\ -]*$ ]] || { debroot_err "package list '$pkgs' has characters no Debian package name has"; return 1; }
  [[ $max_age =~ ^[0-9]+$ ]] || { debroot_err "HARDRUN_DEBROOT_MAX_AGE_DAYS='$max_age' is not a number of days"; return 1; }
  command -v mmdebstrap >/dev/null 2>&1 || { debroot_err "mmdebstrap is not installed (apt-get install mmdebstrap, or contrib/dev.sh deps)"; return 1; }
  mirror=$(debroot_mirror) || return 1
  key=$(debroot_key "$suite" "$variant" "$pkgs") || return 1
  mkdir -p -- "$cache" || { debroot_err "cannot create the cache directory $cache (run as root or set HARDRUN_DEBROOT_CACHE)"; return 1; }
  tar=$cache/$key.tar
  log=$cache/$key.log
  pkgs=$(debroot_packages "$pkgs")
  [[ -n $pkgs ]] && include=("--include=$pkgs")

  # One build per key at a time; the others wait (up to an hour) and then reuse it.
  (
    flock -w 3600 9 || { debroot_err "timed out waiting for another build of $tar (lock $cache/$key.lock)"; exit 1; }
    if [[ -s $tar && $max_age != 0 ]] && [[ -n $(find "$tar" -maxdepth 0 -mtime "+$max_age" 2>/dev/null) ]]; then
      rm -f -- "$tar"
    fi
    [[ -s $tar ]] && exit 0
    # Temporary files of builds killed before their trap ran (we hold the lock: none is live).
    rm -f -- "$cache/.$key."*.tar
    tmp=$(mktemp "$cache/.$key.XXXXXX.tar") || { debroot_err "cannot create a temporary file in $cache"; exit 1; }
    trap 'rm -f -- "$tmp"' EXIT
    trap 'exit 130' INT TERM
    rc=0
    {
      printf '# debroot %s %s %s from %s, %s\n' "$suite" "$variant" "$pkgs" "$mirror" "$(date -u +%FT%TZ)"
      mmdebstrap --quiet --format=tar --variant="$variant" ${include[@]+"${include[@]}"} \
        --aptopt='Acquire::Retries "3"' "$suite" "$tmp" "$mirror"
    } >"$log" 2>&1 </dev/null || rc=$?
    if ((rc != 0)) || [[ ! -s $tmp ]]; then
      debroot_err "mmdebstrap $suite ($variant; $pkgs) failed with status $rc; see $log (is the mirror reachable, are the package names right for $suite?)"
      exit 1
    fi
    chmod 0644 -- "$tmp"
    mv -f -- "$tmp" "$tar" || { debroot_err "cannot rename $tmp to $tar"; exit 1; }
  ) 9>"$cache/$key.lock" || return 1

  if [[ -n $out ]]; then
    mkdir -p -- "$out" || { debroot_err "cannot create $out"; return 1; }
    [[ -z $(find "$out" -mindepth 1 -maxdepth 1 -print -quit) ]] || { debroot_err "$out is not empty; give a new or empty directory"; return 1; }
    tar -C "$out" --numeric-owner -xpf "$tar" ||
      { debroot_err "cannot unpack $tar into $out (needs root for owners and device nodes)"; return 1; }
  fi
  printf '%s\n' "$tar"
}

# Run as a command: debroot.sh SUITE VARIANT PACKAGES [OUTDIR]
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -uo pipefail
  debroot "$@"
fi
