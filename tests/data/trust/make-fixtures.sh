#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Regenerate the trust test fixtures (committed; the unit tests never run gpg or openssl).
#   manifests/  a schema2 manifest M (config C), M2 (same config, another layer: replay target),
#               M-other-config (config C2), an OCI manifest, an index listing M (linux/amd64)
#   gpg/        public keys (binary exports, as `gpg --export`) and simple-signing blobs made by
#               `gpg --sign` over skopeo-shaped payloads (formats.md §2.3: compressed message, 0xa3)
#   sigstore/   PKIX public keys and PKCS#8 private keys (the tests sign sigstore payloads at run
#               time with OpenSSL), bad keys for policy load errors
# Usage: tests/data/trust/make-fixtures.sh   (needs gpg 2.2, openssl 3, python3)
set -euo pipefail
OUT="$(cd "$(dirname "$0")" && pwd)"
GNUPGHOME="$(mktemp -d)"
export GNUPGHOME
trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
rm -rf "$OUT/manifests" "$OUT/gpg" "$OUT/sigstore"
mkdir -p "$OUT/manifests" "$OUT/gpg" "$OUT/sigstore"

REPO=127.0.0.1:5000/research/busybox

# --- manifests --------------------------------------------------------------------------------
python3 - "$OUT/manifests" <<'PY'
import hashlib, json, sys
out = sys.argv[1]
def digest(b): return "sha256:" + hashlib.sha256(b).hexdigest()
def write(name, b):
    with open(f"{out}/{name}", "wb") as f: f.write(b)
config = b'{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:' + b"1" * 64 + b'"]}}'
config2 = config.replace(b"amd64", b"arm64")
write("config.json", config)
write("config-other.json", config2)
def manifest(cfg, layer, media="application/vnd.docker.distribution.manifest.v2+json",
             cfgmedia="application/vnd.docker.container.image.v1+json",
             layermedia="application/vnd.docker.image.rootfs.diff.tar.gzip"):
    m = {"schemaVersion": 2, "mediaType": media,
         "config": {"mediaType": cfgmedia, "size": len(cfg), "digest": digest(cfg)},
         "layers": [{"mediaType": layermedia, "size": 1234, "digest": "sha256:" + layer * 64}]}
    return json.dumps(m, indent=3).encode()
m = manifest(config, "a")
write("manifest.json", m)
write("manifest2.json", manifest(config, "b"))
write("manifest-other-config.json", manifest(config2, "a"))
write("manifest-oci.json", manifest(config, "c", "application/vnd.oci.image.manifest.v1+json",
                                    "application/vnd.oci.image.config.v1+json",
                                    "application/vnd.oci.image.layer.v1.tar+gzip"))
index = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
         "manifests": [
             {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": len(m),
              "digest": digest(m), "platform": {"architecture": "amd64", "os": "linux"}},
             {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 99,
              "digest": "sha256:" + "e" * 64, "platform": {"architecture": "arm64", "os": "linux"}}]}
write("index.json", json.dumps(index, indent=3).encode())
index_other = dict(index, manifests=index["manifests"][1:])
write("index-without-instance.json", json.dumps(index_other, indent=3).encode())
PY
D=$(sha256sum "$OUT/manifests/manifest.json" | cut -d' ' -f1)
D2=$(sha256sum "$OUT/manifests/manifest2.json" | cut -d' ' -f1)
DI=$(sha256sum "$OUT/manifests/index.json" | cut -d' ' -f1)

# --- gpg --------------------------------------------------------------------------------------
G=(gpg --batch --quiet --pinentry-mode loopback --passphrase '')
newkey() { # uid algo usage expiry [faked time]
  local extra=()
  [[ $# -ge 5 ]] && extra=(--faked-system-time "$5")
  "${G[@]}" "${extra[@]}" --quick-generate-key "$1" "$2" "$3" "$4" 2>/dev/null
  gpg --batch --with-colons --list-keys "$1" 2>/dev/null | awk -F: '/^fpr:/{print $10; exit}'
}
TRUSTED=$(newkey 'Trusted Signer <trusted@example.invalid>' rsa3072 sign never)
OTHER=$(newkey 'Untrusted Signer <other@example.invalid>' rsa3072 sign never)
EXPIRED=$(newkey 'Expired Signer <expired@example.invalid>' rsa2048 sign 1d 20200101T000000)
REVOKED=$(newkey 'Revoked Signer <revoked@example.invalid>' rsa2048 sign never)
SUBKEYED=$(newkey 'Subkey Signer <subkey@example.invalid>' ed25519 cert never)
"${G[@]}" --quick-add-key "$SUBKEYED" ed25519 sign never
WEAK=$(newkey 'Weak Signer <weak@example.invalid>' rsa1024 sign never)

gpg --batch --export "$TRUSTED" > "$OUT/gpg/trusted.gpg"
gpg --batch --armor --export "$TRUSTED" > "$OUT/gpg/trusted.asc"
gpg --batch --export "$OTHER" > "$OUT/gpg/other.gpg"
gpg --batch --export "$EXPIRED" > "$OUT/gpg/expired.gpg"
gpg --batch --export "$SUBKEYED" > "$OUT/gpg/subkey.gpg"
gpg --batch --export "$WEAK" > "$OUT/gpg/weak.gpg"
gpg --batch --export "$TRUSTED" "$OTHER" > "$OUT/gpg/trusted-and-other.gpg"
echo "$TRUSTED" > "$OUT/gpg/trusted.fpr"
echo "$SUBKEYED" > "$OUT/gpg/subkey.fpr"
echo "$EXPIRED" > "$OUT/gpg/expired.fpr"
echo "$OTHER" > "$OUT/gpg/other.fpr"

payload() { # type reference digest [critical extra] [optional]
  printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"sha256:%s"},"type":"%s"%s},"optional":%s}' \
    "$2" "$3" "$1" "${4:-}" "${5:-{\"creator\":\"atomic 5.23.1\",\"timestamp\":1795330311\}}"
}
ATOMIC="atomic container signature"
COSIGN="cosign container image signature"
sign() { # name key payload [extra gpg args]
  local name=$1 key=$2 body=$3
  shift 3
  printf '%s' "$body" | "${G[@]}" -u "$key" "$@" --sign > "$OUT/gpg/$name.sig"
}
sign good "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D")"
sign good-digest-identity "$TRUSTED" "$(payload "$ATOMIC" "$REPO@sha256:$D" "$D")"
sign name-only "$TRUSTED" "$(payload "$ATOMIC" "$REPO" "$D")"
sign replay "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D2")"
sign other-repo "$TRUSTED" "$(payload "$ATOMIC" "127.0.0.1:5000/other/app:signed" "$D")"
sign docker-hub "$TRUSTED" "$(payload "$ATOMIC" "busybox:latest" "$D")"
sign index "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$DI")"
sign wrong-type "$TRUSTED" "$(payload "$COSIGN" "$REPO:signed" "$D")"
sign extra-critical "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D" ',"x":1')"
sign no-optional "$TRUSTED" "$(printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"sha256:%s"},"type":"%s"}}' "$REPO:signed" "$D" "$ATOMIC")"
sign null-optional "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D" '' null)"
sign fractional-timestamp "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D" '' '{"timestamp":1.5}')"
sign duplicate-key "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D" ',"type":"atomic container signature"')"
sign trailing-data "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D"){}"
sign bad-digest "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "${D^^}")"
sign untrusted "$OTHER" "$(payload "$ATOMIC" "$REPO:signed" "$D")"
sign subkey "$SUBKEYED" "$(payload "$ATOMIC" "$REPO:signed" "$D")"
sign two-signatures "$TRUSTED" "$(payload "$ATOMIC" "$REPO:signed" "$D")" -u "$OTHER"
sign expired "$EXPIRED" "$(payload "$ATOMIC" "$REPO:signed" "$D")" --faked-system-time 20200101T010000
sign revoked "$REVOKED" "$(payload "$ATOMIC" "$REPO:signed" "$D")"
sign weak "$WEAK" "$(payload "$ATOMIC" "$REPO:signed" "$D")"
printf '%s' "$(payload "$ATOMIC" "$REPO:signed" "$D")" | "${G[@]}" -u "$TRUSTED" --clearsign > "$OUT/gpg/cleartext.sig"
# Revoke after signing: the signature was good when made, the key is revoked now (G6).
sed 's/^:-----BEGIN/-----BEGIN/' "$GNUPGHOME/openpgp-revocs.d/$REVOKED.rev" | "${G[@]}" --import 2>/dev/null
gpg --batch --export "$REVOKED" > "$OUT/gpg/revoked.gpg"
head -c 300 /dev/urandom > "$OUT/gpg/garbage.gpg"

# --- sigstore ---------------------------------------------------------------------------------
S="$OUT/sigstore"
key() { # name genpkey-args...
  local name=$1
  shift
  openssl genpkey "$@" -out "$S/$name.key" 2>/dev/null
  openssl pkey -in "$S/$name.key" -pubout -out "$S/$name.pub"
}
key p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
key p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
key ed25519 -algorithm ED25519
key rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048
key untrusted -algorithm EC -pkeyopt ec_paramgen_curve:P-256
key rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
key p224 -algorithm EC -pkeyopt ec_paramgen_curve:P-224
rm -f "$S/rsa1024.key" "$S/p224.key"
cat "$S/p256.pub" "$S/p384.pub" > "$S/two-keys.pub"
{ cat "$S/p256.pub"; echo "trailing garbage"; } > "$S/trailing.pub"
# A certificate is not a public key (P7).
openssl req -new -x509 -key "$S/untrusted.key" -subj /CN=x -days 1 -out "$S/certificate.pub" 2>/dev/null
echo "$REPO" > "$OUT/repository.txt"
echo "fixtures written to $OUT"
