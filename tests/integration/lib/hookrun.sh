# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# Running hardrun-hook against real containers-storage, sourced by
# tests/integration/hook_admission.sh and bench/hook.sh (after lib/podman.sh and lib/registry.sh):
#
#   fixture_init NAME              WORK = a new ${TMPDIR:-/tmp}/NAME.XXXXXXXXXX (mode 0711) with a
#                                  private podman in WORK/podman; GRAPHROOT = its graph root
#   fixture_cleanup                (EXIT trap) remove that store's containers and images, stop
#                                  the registry and the gpg-agent, unmount and delete WORK
#   hardrun_config_write FILE MODE POLICY REGISTRIES_D PROFILE HOOK [EXCEPTION_DIGEST...]
#                                  a hardrun.json (hardrun-config(5)) for the hook and the shim
#   hook_json_write DIR HOOK CONFIG POLICY [NAME]
#                                  a hooks.d 1.0.0 file DIR/NAME.json (default 50-hardrun) running
#                                  HOOK as a prestart hook for every container
#   capture_hook_write DIR OUTDIR  DIR/00-capture.json: a prestart hook, run before hardrun's,
#                                  saving each state JSON to OUTDIR/<container id>.json
#   state_for GRAPHROOT ID         an OCI state (runc style) for container ID of GRAPHROOT
#   storage_clone SRC DST ID       copy what the hook reads for container ID (containers.json,
#                                  its userdata/config.json, images.json and the images' big-data)
#                                  from graph root SRC to DST, to tamper with or inflate
#   storage_inflate DST N          add N synthetic containers and N synthetic images (with
#                                  manifest and signature entries) to the clone's JSON files
#
# Needs jq. Defines functions only; sets no options; fixture_init sets WORK and GRAPHROOT.

fixture_init() { # name
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXXXXXX") || return 1
  # Container root is an unmapped host id: it must be able to traverse to its bundle.
  chmod 0711 "$WORK"
  mkdir -p "$WORK/podman"
  private_podman_init "$WORK/podman" || return 1
  GRAPHROOT=$PODMAN_DIR/storage
}

fixture_cleanup() {
  set +e
  if [[ -n ${GRAPHROOT:-} && -d $GRAPHROOT ]]; then
    pm rm --all --force >/dev/null 2>&1
    pm rmi --all --force >/dev/null 2>&1
  fi
  registry_stop
  gpg_agent_stop
  private_podman_teardown || printf '%s: WARNING: could not remove %s\n' "${0##*/}" "$PODMAN_DIR" >&2
  [[ -n ${WORK:-} ]] && rm -rf --one-file-system -- "$WORK"
}

hardrun_config_write() { # file mode policy registries.d profile hook [exception-digest...]
  local file=$1 mode=$2 policy=$3 regd=$4 profile=$5 hook=$6
  shift 6
  jq -n --arg mode "$mode" --arg pol "$policy" --arg regd "$regd" --arg prof "$profile" \
    --arg hook "$hook" --args '
    {hardrunConfig: 1, mode: $mode, signaturePolicy: $pol, registriesDir: $regd,
     profile: $prof, hookDeadlineMs: 10000, hookTimeoutSeconds: 15, hookPath: $hook,
     requireHook: true, injectHook: false, runtime: "/usr/sbin/runc",
     exceptions: [$ARGS.positional[] | {digest: ., reason: "admission test exception"}]}' \
    "$@" >"$file"
}

hook_json_write() { # dir hook config policy [name]
  mkdir -p -- "$1"
  jq -n --arg hook "$2" --arg cfg "$3" --arg pol "$4" '
    {version: "1.0.0",
     hook: {path: $hook, args: ["hardrun-hook", "--config", $cfg, "--signature-policy", $pol],
            env: ["PATH=/usr/sbin:/usr/bin", "LC_ALL=C"], timeout: 15},
     when: {always: true}, stages: ["prestart"]}' >"$1/${5:-50-hardrun}.json"
}

capture_hook_write() { # dir outdir
  mkdir -p -- "$1" "$2"
  cat >"$2/capture.sh" <<SH
#!/bin/sh
# Saves the OCI state from stdin as $2/<id>.json.
umask 077
tmp=\$(mktemp "$2/state.XXXXXX") || exit 1
cat >"\$tmp"
id=\$(sed -n 's/.*"id":"\\([0-9a-f]\\{64\\}\\)".*/\\1/p' "\$tmp")
[ -n "\$id" ] && mv -f "\$tmp" "$2/\$id.json"
exit 0
SH
  chmod 0755 "$2/capture.sh"
  jq -n --arg p "$2/capture.sh" '
    {version: "1.0.0", hook: {path: $p, args: ["capture.sh"], env: ["PATH=/usr/bin:/bin"], timeout: 5},
     when: {always: true}, stages: ["prestart"]}' >"$1/00-capture.json"
}

# The state runc passes to a prestart hook for container ID of graph root GRAPHROOT (formats.md
# §4.6), with the annotations of its config.json.
state_for() { # graphroot id
  local bundle=$1/overlay-containers/$2/userdata
  jq -c --arg id "$2" --arg b "$bundle" \
    '{ociVersion: "1.0.2-dev", id: $id, status: "creating", pid: 1, bundle: $b,
      annotations: (.annotations // {})}' "$bundle/config.json"
}

# Copies what the hook reads for container ID from graph root SRC into DST (created): the
# containers.json entry and userdata/config.json, images.json and the big-data files of every
# image (never the layers).
storage_clone() { # src dst id
  local src=$1 dst=$2 id=$3 img
  mkdir -p -- "$dst/overlay-containers/$id/userdata" "$dst/overlay-images"
  cp -- "$src/overlay-containers/containers.json" "$dst/overlay-containers/containers.json"
  cp -- "$src/overlay-containers/$id/userdata/config.json" "$dst/overlay-containers/$id/userdata/config.json"
  cp -- "$src/overlay-images/images.json" "$dst/overlay-images/images.json"
  for img in "$src"/overlay-images/*/; do
    img=${img%/}
    [[ ${img##*/} =~ ^[0-9a-f]{64}$ ]] || continue
    mkdir -p -- "$dst/overlay-images/${img##*/}"
    find "$img" -maxdepth 1 -type f -exec cp -t "$dst/overlay-images/${img##*/}" -- {} +
  done
}

# Adds N synthetic containers (each on a synthetic image) and N synthetic images, each with a
# manifest and an empty signature entry in its metadata, ahead of the real entries, so that
# the hook's lookups have N other records to pass over.
storage_inflate() { # dst n
  local dst=$1 n=$2
  jq -c --argjson n "$n" '
    def hex(i): (i | tostring) as $s | ("0" * (64 - ($s | length))) + $s;
    [range(0; $n) | hex(.) as $h | hex(. + 1000000) as $i |
      {id: ("c" + $h[1:]), names: ["synthetic-\(.)"], image: ("a" + $i[1:]),
       layer: ("b" + $h[1:]),
       metadata: ({"image-name": "127.0.0.1:1/synthetic/\(.)@sha256:\("d" + $h[1:])",
                   "image-id": ("a" + $i[1:]), name: "synthetic-\(.)", "created-at": 1} | tojson),
       created: "2026-01-01T00:00:00Z", flags: {MountLabel: "", ProcessLabel: ""}}] + .' \
    "$dst/overlay-containers/containers.json" >"$dst/overlay-containers/containers.json.new" &&
    mv -f -- "$dst/overlay-containers/containers.json.new" "$dst/overlay-containers/containers.json" || return 1
  jq -c --argjson n "$n" '
    def hex(i): (i | tostring) as $s | ("0" * (64 - ($s | length))) + $s;
    [range(0; $n) | hex(. + 1000000) as $i | ("d" + hex(.)[1:]) as $d |
      {id: ("a" + $i[1:]), digest: "sha256:\($d)",
       names: ["127.0.0.1:1/synthetic/\(.)@sha256:\($d)"], layer: ("e" + $i[1:]),
       metadata: ({"signatures-sizes": {"sha256:\($d)": []}} | tojson),
       "big-data-names": ["manifest-sha256:\($d)", "manifest", "signature-\($d)"],
       "big-data-sizes": {"manifest-sha256:\($d)": 0, manifest: 0, "signature-\($d)": 0},
       "big-data-digests": {"manifest-sha256:\($d)": "sha256:\($d)", manifest: "sha256:\($d)",
                            "signature-\($d)": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
       created: "2026-01-01T00:00:00Z"}] + .' \
    "$dst/overlay-images/images.json" >"$dst/overlay-images/images.json.new" &&
    mv -f -- "$dst/overlay-images/images.json.new" "$dst/overlay-images/images.json"
}
