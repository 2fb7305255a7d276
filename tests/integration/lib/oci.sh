# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# OCI image layouts written layer by layer (no build tool, no network), for images with exactly
# the layers a test needs (doctor_audit.sh, package.sh: the leaky image of audit --image).
#
#   oci_blob LAYOUT FILE                       FILE into LAYOUT's blobs; prints its digest
#   oci_image LAYOUT NAME CONFIG-JSON TAR...   a one-manifest layout named NAME: the layers in
#                                              order, CONFIG-JSON with rootfs and platform added
# Needs jq and sha256sum.

oci_blob() { # layout file -> digest
  local sum
  sum=$(sha256sum "$2" | cut -d' ' -f1)
  mkdir -p "$1/blobs/sha256"
  cp "$2" "$1/blobs/sha256/$sum"
  echo "sha256:$sum"
}
oci_image() { # layout name config-json layer-tar...
  local layout=$1 name=$2 config=$3 layers='[]' diffs='[]' l d c m
  shift 3
  mkdir -p "$layout"
  for l in "$@"; do
    d=$(oci_blob "$layout" "$l")
    layers=$(jq -c --arg d "$d" --argjson s "$(stat -c %s "$l")" '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}]' <<<"$layers")
    diffs=$(jq -c --arg d "$d" '. + [$d]' <<<"$diffs")
  done
  jq --argjson diffs "$diffs" '. + {architecture: "amd64", os: "linux", rootfs: {type: "layers", diff_ids: $diffs}}' <<<"$config" >"$layout/config.json"
  c=$(oci_blob "$layout" "$layout/config.json")
  jq -n --arg c "$c" --argjson s "$(stat -c %s "$layout/config.json")" --argjson layers "$layers" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $s}, layers: $layers}' >"$layout/manifest.json"
  m=$(oci_blob "$layout" "$layout/manifest.json")
  jq -n --arg m "$m" --argjson s "$(stat -c %s "$layout/manifest.json")" --arg n "$name" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $s, annotations: {"org.opencontainers.image.ref.name": $n}}]}' >"$layout/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$layout/oci-layout"
}
