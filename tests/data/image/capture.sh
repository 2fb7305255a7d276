#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Regenerate the containers-storage fixtures under tests/data/image/ from REAL podman, skopeo and
# docker-registry output (Debian 12: podman 4.3.1, c/storage 1.43, c/image 5.23.1).
#
# Everything happens in a private store and a throwaway directory: a registry on 127.0.0.1 with a
# random free port, a throwaway GPG key, an openssl P-256 key for sigstore. Nothing of the host's
# containers-storage, GnuPG or /etc is touched; everything started is stopped by PID and deleted.
#
# Output (layers trimmed: only the files the identity sources read):
#   storage/overlay-containers/{containers.json,<id>/userdata/}
#   storage/overlay-images/{images.json,<image-id>/<big-data files>}
#   lookaside/<repo>@sha256=<hex>/signature-<n>      (skopeo --sign-by, file:// lookaside)
#   keys/gpg-pubkey.gpg keys/gpg-fpr.txt keys/cosign.pub
#   fixture.env                                      (ids and digests, for the tests)
# Usage: capture.sh [OUTDIR]   (default: the directory of this script). Needs root.
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")" && pwd)}"
[ "$(id -u)" = 0 ] || { echo "capture.sh: needs root (rootful podman)" >&2; exit 77; }
for t in podman skopeo docker-registry gpg openssl python3 curl; do
  command -v "$t" >/dev/null || { echo "capture.sh: $t missing" >&2; exit 77; }
done

BASE=$(mktemp -d /tmp/hardrun-capture.XXXXXX)
ROOT=$BASE/root RUNROOT=$BASE/runroot
P=(podman --root "$ROOT" --runroot "$RUNROOT" --storage-driver overlay)
STORE_SPEC="[overlay@$ROOT+$RUNROOT]"
export GNUPGHOME=$BASE/gnupg
REG_PID=""

cleanup() {
  set +e
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
  "${P[@]}" rm -af >/dev/null 2>&1
  "${P[@]}" rmi -af >/dev/null 2>&1
  gpgconf --kill gpg-agent >/dev/null 2>&1
  # Unmount anything the private store left mounted, deepest first, then delete it.
  awk -v b="$BASE" '$2 ~ "^"b {print $2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$BASE"
}
trap cleanup EXIT

mkdir -p "$BASE"/{gnupg,keys,lookaside,registries.d,home/.config/containers,registry-data}
chmod 700 "$GNUPGHOME"
ln -s "$BASE/registries.d" "$BASE/home/.config/containers/registries.d"

# --- registry on a random free loopback port ---
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
cat > "$BASE/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $BASE/registry-data}, delete: {enabled: true}}
http: {addr: $REG}
YML
docker-registry serve "$BASE/registry.yml" >"$BASE/registry.log" 2>&1 </dev/null &
REG_PID=$!
for _ in $(seq 100); do curl -fsS "http://$REG/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://$REG/v2/" >/dev/null

# --- keys ---
gpg --batch --pinentry-mode loopback --passphrase '' --quick-generate-key \
  'hardrun fixture <fixture@example.invalid>' rsa3072 sign never 2>/dev/null
FPR=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/{print $10; exit}')
gpg --batch --export "$FPR" > "$BASE/keys/gpg-pubkey.gpg"
echo "$FPR" > "$BASE/keys/gpg-fpr.txt"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$BASE/keys/cosign-plain.pem" 2>/dev/null
openssl pkey -in "$BASE/keys/cosign-plain.pem" -pubout -out "$BASE/keys/cosign.pub"

cat > "$BASE/registries.d/fixture.yaml" <<YML
docker:
  $REG:
    lookaside: file://$BASE/lookaside
    lookaside-staging: file://$BASE/lookaside
    use-sigstore-attachments: true
YML
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$BASE/policy.json"

# --- two busybox-static images (a marker makes the second one different) ---
make_image() { # name marker
  local w=$BASE/rootfs-$2
  mkdir -p "$w"/{bin,etc,tmp,proc,sys,dev}
  cp /bin/busybox "$w/bin/busybox"
  for a in $("$w/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$w/bin/$a"; done
  echo "$2" > "$w/etc/marker"
  tar -C "$w" --numeric-owner -cf "$w.tar" .
  "${P[@]}" import --change 'CMD ["/bin/sh"]' --change "ENV MARKER=$2" "$w.tar" "$1" >/dev/null
}
make_image localhost/hr-fixture-gpg:latest gpg
make_image localhost/hr-fixture-sigstore:latest sigstore

# --- push: GPG simple signing into the lookaside; sigstore as a c/image attachment ---
skopeo --registries.d "$BASE/registries.d" copy -q --dest-tls-verify=false --sign-by "$FPR" \
  "containers-storage:${STORE_SPEC}localhost/hr-fixture-gpg:latest" "docker://$REG/hr/busybox:gpgsigned"
skopeo copy -q --dest-tls-verify=false \
  "containers-storage:${STORE_SPEC}localhost/hr-fixture-sigstore:latest" "docker://$REG/hr/busybox:cosign"

# c/image 5.23.1 putSignaturesToSigstoreAttachments layout (Debian's skopeo cannot sign sigstore).
python3 - "$REG" hr/busybox cosign "$BASE/keys/cosign-plain.pem" <<'PY'
import base64, hashlib, json, subprocess, sys, time, urllib.request
reg, repo, tag, key = sys.argv[1:5]
base = "http://" + reg
def req(method, url, body=None, headers=None):
    r = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(r) as resp:
        return resp.status, dict(resp.headers), resp.read()
def put_blob(data):
    dg = "sha256:" + hashlib.sha256(data).hexdigest()
    st, h, _ = req("POST", f"{base}/v2/{repo}/blobs/uploads/")
    loc = h["Location"]; loc = (loc if loc.startswith("http") else base + loc)
    loc += ("&" if "?" in loc else "?") + "digest=" + dg
    req("PUT", loc, data, {"Content-Type": "application/octet-stream"})
    return dg
_, _, man = req("GET", f"{base}/v2/{repo}/manifests/{tag}",
                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
digest = "sha256:" + hashlib.sha256(man).hexdigest()
payload = json.dumps({"critical": {"identity": {"docker-reference": f"{reg}/{repo}:{tag}"},
                                   "image": {"docker-manifest-digest": digest},
                                   "type": "cosign container image signature"},
                      "optional": {"creator": "containers/image 5.23.1 (hardrun capture.sh)",
                                   "timestamp": int(time.time())}},
                     sort_keys=True, separators=(",", ":")).encode()
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=payload, capture_output=True,
                     check=True).stdout
pd = put_blob(payload)
cfg = json.dumps({"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": [pd]}},
                 separators=(",", ":")).encode()
cd = put_blob(cfg)
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
     "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(cfg)},
     "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": pd,
                 "size": len(payload),
                 "annotations": {"dev.cosignproject.cosign/signature": base64.b64encode(sig).decode()}}]}
req("PUT", f"{base}/v2/{repo}/manifests/{digest.replace(':', '-', 1)}.sig",
    json.dumps(m, separators=(",", ":")).encode(), {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
PY

digest_of() { skopeo inspect --raw --tls-verify=false "docker://$REG/hr/busybox:$1" | sha256sum | awk '{print "sha256:"$1}'; }
GPG_DIGEST=$(digest_of gpgsigned)
SIG_DIGEST=$(digest_of cosign)

# --- pull back by digest (signatures are stored in containers-storage) and by tag ---
pull() { HOME=$BASE/home "${P[@]}" pull -q --tls-verify=false --signature-policy "$BASE/policy.json" "$1" >/dev/null; }
pull "$REG/hr/busybox@$GPG_DIGEST"
pull "$REG/hr/busybox@$SIG_DIGEST"
pull "$REG/hr/busybox:cosign"

# --- containers, created the ways formats.md §4.5 lists ---
create() { "${P[@]}" create -q --name "$1" --runtime runc "$2" true; }
CTR_GPG=$(create hr-gpg-digest "$REG/hr/busybox@$GPG_DIGEST")
CTR_SIG=$(create hr-sigstore-digest "$REG/hr/busybox@$SIG_DIGEST")
CTR_TAG=$(create hr-by-tag "$REG/hr/busybox:cosign")
CTR_LOCAL=$(create hr-local localhost/hr-fixture-gpg:latest)
IMG_GPG=$("${P[@]}" image inspect --format '{{.Id}}' "$REG/hr/busybox@$GPG_DIGEST")
IMG_SIG=$("${P[@]}" image inspect --format '{{.Id}}' "$REG/hr/busybox@$SIG_DIGEST")

# --- a CRI-O bundle config for the same sigstore image (no CRI-O here: the annotations are the
# ones CRI-O 1.2x's container_create sets itself; ImageRef is the image id) ---
write_crio_fixture() { # OUT REGISTRY SIGSTORE_DIGEST SIGSTORE_IMAGE
  local id=4f0c1e2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100
  mkdir -p "$1/crio/run/overlay-containers/$id/userdata"
  cat > "$1/crio/run/overlay-containers/$id/userdata/config.json" <<JSON
{"ociVersion":"1.0.2-dev","process":{"user":{"uid":0,"gid":0},"args":["/bin/sh"],"env":["PATH=/bin","MARKER=sigstore"],"cwd":"/"},
 "root":{"path":"/var/lib/containers/storage/overlay/0a1b2c/merged"},"hostname":"app",
 "annotations":{"io.container.manager":"cri-o","io.kubernetes.container.hash":"5d1c2f3a","io.kubernetes.container.name":"app",
  "io.kubernetes.cri-o.ContainerID":"$id","io.kubernetes.cri-o.ContainerType":"container",
  "io.kubernetes.cri-o.Created":"2026-11-22T07:00:00.000000000Z",
  "io.kubernetes.cri-o.ImageName":"$2/hr/busybox@$3","io.kubernetes.cri-o.ImageRef":"$4",
  "io.kubernetes.cri-o.Name":"k8s_app_demo_default_0b1c2d3e-1111-2222-3333-444455556666_0",
  "io.kubernetes.cri-o.SandboxID":"9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d",
  "io.kubernetes.cri-o.TTY":"false","io.kubernetes.pod.name":"demo","io.kubernetes.pod.namespace":"default"},
 "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]}}
JSON
  echo "CTR_CRIO=$id" >> "$1/fixture.env"
}

# --- copy out, trimmed ---
rm -rf "$OUT/storage" "$OUT/lookaside" "$OUT/keys" "$OUT/crio"
mkdir -p "$OUT/storage/overlay-containers" "$OUT/storage/overlay-images" "$OUT/keys"
python3 -m json.tool "$ROOT/overlay-containers/containers.json" > "$OUT/storage/overlay-containers/containers.json"
python3 -m json.tool "$ROOT/overlay-images/images.json" > "$OUT/storage/overlay-images/images.json"
for c in "$CTR_GPG" "$CTR_SIG" "$CTR_TAG" "$CTR_LOCAL"; do
  mkdir -p "$OUT/storage/overlay-containers/$c/userdata"
done
for i in "$IMG_GPG" "$IMG_SIG"; do
  mkdir -p "$OUT/storage/overlay-images/$i"
  cp -p "$ROOT/overlay-images/$i"/* "$OUT/storage/overlay-images/$i/"
done
cp -r "$BASE/lookaside" "$OUT/lookaside"
cp "$BASE/keys/gpg-pubkey.gpg" "$BASE/keys/gpg-fpr.txt" "$BASE/keys/cosign.pub" "$OUT/keys/"
cat > "$OUT/fixture.env" <<ENV
# Generated by capture.sh $(date -u +%Y-%m-%dT%H:%M:%SZ); podman $(podman --version | awk '{print $3}')
REGISTRY=$REG
GPG_FPR=$FPR
GPG_DIGEST=$GPG_DIGEST
SIGSTORE_DIGEST=$SIG_DIGEST
GPG_IMAGE=$IMG_GPG
SIGSTORE_IMAGE=$IMG_SIG
CTR_GPG_DIGEST=$CTR_GPG
CTR_SIGSTORE_DIGEST=$CTR_SIG
CTR_BY_TAG=$CTR_TAG
CTR_LOCAL=$CTR_LOCAL
ENV
write_crio_fixture "$OUT" "$REG" "$SIG_DIGEST" "$IMG_SIG"
echo "capture.sh: wrote $OUT"
