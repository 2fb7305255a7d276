# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# Fixtures for image admission tests: a private docker-registry on 127.0.0.1, busybox-static
# images, throwaway GPG and sigstore keys, registries.d lookaside configuration, signed pushes,
# sigstore attachments written in containers/image's layout, pulls into the private podman store
# (lib/podman.sh) with their signatures, and trust policy files. Sourced by
# tests/integration/hook_admission.sh and bench/hook.sh. Everything lives below one scratch
# directory; the only network use is the registry this file starts, on 127.0.0.1.
#
#   registry_start DIR             start docker-registry on a free 127.0.0.1 port, data in DIR
#   registry_stop                  stop it (by its PID) and wait for it
#   registry_ping                  whether /v2/ answers 200
#   busybox_image IMG MARKER [U]   import a busybox-static rootfs as IMG (pm import); MARKER
#                                  makes its image id and digests distinct; prints the image id
#   signing_init DIR               a private GNUPGHOME (exported) and key directory below DIR
#   gpg_key_create NAME            a throwaway RSA key; prints its fingerprint; DIR/NAME.gpg
#   gpg_agent_stop                 stop the gpg-agent of that GNUPGHOME
#   sigstore_key_create NAME       an ECDSA P-256 key: DIR/NAME.key (PKCS#8) and DIR/NAME.pub
#   registries_d_write DIR LA [attachments]
#                                  a registries.d for the registry: lookaside file://LA
#                                  (and use-sigstore-attachments when asked)
#   home_with_registries_d HOME DIR  a HOME whose .config/containers/registries.d is DIR
#   push_image SRC REF [FPR]       skopeo copy from the private store to docker://REF, GPG-signed
#                                  by FPR into the lookaside; prints the manifest digest
#   manifest_digest REF            sha256 of the registry's manifest for REF
#   sigstore_payload IDENT DIGEST  the payload c/image and cosign sign (sorted keys, compact)
#   sigstore_attach REPO DIGEST KEY [IDENT [SIGNED_DIGEST]]
#                                  write REPO:sha256-<hex of DIGEST>.sig, an OCI manifest whose
#                                  one layer is the payload for SIGNED_DIGEST (default DIGEST)
#                                  and whose annotation is the base64 DER ECDSA signature by KEY
#   sigstore_attach_payload REPO DIGEST KEY FILE   the same with a payload file as it is
#   lookaside_sig_dir LA REPO DIGEST  <LA>/<repo path>@sha256=<hex>
#   pull_image HOME REF            podman pull into the private store, with HOME's registries.d
#                                  and HOME/pull-policy.json (insecureAcceptAnything)
#   req_gpg KEYFILE [IDENT_JSON], req_sigstore KEYFILE [IDENT_JSON]
#                                  one policy requirement (signedBy / sigstoreSigned)
#   policy_write FILE [SCOPE REQ]...  policy.json: reject by default, REQ for each docker SCOPE
#   policy_insecure FILE           policy.json: insecureAcceptAnything
#
# Globals set: REGISTRY (127.0.0.1:PORT), REGISTRY_PID, REGISTRY_DIR (registry_start);
# SIGN_DIR, GNUPGHOME (signing_init); REGISTRIES_D (registries_d_write: the last one written,
# used by push_image). Needs lib/podman.sh (pm, PODMAN_DIR) for images, pushes and pulls.
# Defines functions only; sets no options.

# Prints a TCP port on 127.0.0.1 that nothing listens on now (the registry start retries when
# another process takes it first).
registry_free_port() {
  local port used i
  used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed -n 's/.*:\([0-9]*\)$/\1/p')
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 40000))
    if ! grep -qx -- "$port" <<<"$used"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  return 1
}

# Succeeds when GET /v2/ on $REGISTRY answers HTTP 200 (bash's /dev/tcp: no curl needed).
registry_ping() {
  local host=${REGISTRY%:*} port=${REGISTRY##*:} status
  [[ $host == 127.0.0.1 ]] || return 1
  status=$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$host/$port" || exit 1
    printf 'GET /v2/ HTTP/1.0\r\nHost: %s\r\n\r\n' "$REGISTRY" >&3
    timeout 2 head -n 1 <&3
  ) || return 1
  [[ $status == *" 200 "* ]]
}

# Starts /usr/bin/docker-registry on 127.0.0.1:<free port> with its storage, config and log in
# DIR (created). Not detached from this shell's process group, so an interrupted test takes it
# along; registry_stop (from the caller's EXIT trap) stops it by PID.
registry_start() { # dir
  local dir=$1 attempt i port
  mkdir -p -- "$dir/data"
  REGISTRY_DIR=$(cd -- "$dir" && pwd -P) || return 1
  for ((attempt = 0; attempt < 5; attempt++)); do
    port=$(registry_free_port) || return 1
    REGISTRY=127.0.0.1:$port
    cat >"$REGISTRY_DIR/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YML
    /usr/bin/docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/log" 2>&1 </dev/null &
    REGISTRY_PID=$!
    for ((i = 0; i < 100; i++)); do
      if registry_ping; then
        return 0
      fi
      kill -0 "$REGISTRY_PID" 2>/dev/null || break
      sleep 0.1
    done
    registry_stop
  done
  printf '%s: registry did not start; its log:\n' "${0##*/}" >&2
  cat -- "$REGISTRY_DIR/log" >&2
  return 1
}

# Stops the registry this shell started (its PID only) and waits for it to exit.
registry_stop() {
  local i
  [[ -n ${REGISTRY_PID:-} ]] || return 0
  kill "$REGISTRY_PID" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$REGISTRY_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$REGISTRY_PID" 2>/dev/null || true
  wait "$REGISTRY_PID" 2>/dev/null || true
  REGISTRY_PID=
}

# Builds a busybox-static rootfs (every applet but busybox itself symlinked, /proc /sys /dev /tmp
# /run as directories, a uid/gid 10001 service user, /etc/marker) and imports it into the
# private store as IMG with CMD and ENV; MARKER goes into /etc/marker and ENV MARKER, so images
# built in the same second still differ. Prints the image id.
busybox_image() { # image marker [busybox]
  local img=$1 marker=$2 busybox=${3:-/bin/busybox} w applet
  w=$(mktemp -d "$PODMAN_DIR/tmp/bbroot.XXXXXX") || return 1
  mkdir -p "$w/root/bin" "$w/root/etc" "$w/root"/{proc,sys,dev,tmp,run}
  cp -- "$busybox" "$w/root/bin/busybox"
  chmod 0755 "$w/root/bin/busybox"
  while IFS= read -r applet; do
    [[ -n $applet && $applet != busybox ]] || continue
    ln -sf busybox "$w/root/bin/$applet"
  done < <("$busybox" --list)
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'svc:x:10001:10001:svc:/tmp:/bin/sh' >"$w/root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'svc:x:10001:' >"$w/root/etc/group"
  printf '%s\n' "$marker" >"$w/root/etc/marker"
  chmod 1777 "$w/root/tmp"
  tar -C "$w/root" --numeric-owner -cf "$w/rootfs.tar" .
  pm import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' \
    --change "ENV MARKER=$marker" "$w/rootfs.tar" "$img" >/dev/null || { rm -rf -- "$w"; return 1; }
  rm -rf -- "$w"
  pm image inspect --format '{{.Id}}' "$img"
}

# A private signing area: GNUPGHOME=DIR/gnupg (exported; never the user's), keys in DIR.
signing_init() { # dir
  mkdir -p -- "$1/gnupg"
  SIGN_DIR=$(cd -- "$1" && pwd -P) || return 1
  chmod 0700 "$SIGN_DIR/gnupg"
  export GNUPGHOME=$SIGN_DIR/gnupg
}

# Creates a throwaway RSA-2048 signing key without passphrase; writes the binary public key to
# SIGN_DIR/NAME.gpg (usable as policy keyPath and gpgv --keyring); prints the fingerprint.
gpg_key_create() { # name
  local uid="$1 <$1@example.invalid>" fpr
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-generate-key "$uid" rsa2048 sign never 2>/dev/null || return 1
  fpr=$(gpg --batch --with-colons --list-secret-keys "=$uid" 2>/dev/null | awk -F: '/^fpr:/ {print $10; exit}')
  [[ $fpr =~ ^[0-9A-F]{40}$ ]] || return 1
  gpg --batch --export "$fpr" >"$SIGN_DIR/$1.gpg"
  printf '%s\n' "$fpr"
}

gpg_agent_stop() {
  [[ -n ${GNUPGHOME:-} && -d $GNUPGHOME && $GNUPGHOME == "${SIGN_DIR:-/nonexistent}"/* ]] || return 0
  gpgconf --kill gpg-agent 2>/dev/null || true
}

# ECDSA P-256 key pair for sigstore: SIGN_DIR/NAME.key (PKCS#8 PEM), SIGN_DIR/NAME.pub (PKIX).
sigstore_key_create() { # name
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$SIGN_DIR/$1.key" 2>/dev/null &&
    openssl pkey -in "$SIGN_DIR/$1.key" -pubout -out "$SIGN_DIR/$1.pub"
}

# Writes DIR/registry.yaml for $REGISTRY: lookaside (read) and lookaside-staging (written by
# skopeo --sign-by) at file://LOOKASIDE, and use-sigstore-attachments when the third argument
# is "attachments". Sets REGISTRIES_D=DIR.
registries_d_write() { # dir lookaside [attachments]
  mkdir -p -- "$1" "$2"
  {
    printf 'docker:\n  %s:\n' "$REGISTRY"
    [[ ${3:-} == attachments ]] && printf '    use-sigstore-attachments: true\n'
    printf '    lookaside: file://%s\n    lookaside-staging: file://%s\n' "$2" "$2"
  } >"$1/registry.yaml"
  REGISTRIES_D=$(cd -- "$1" && pwd -P)
}

# podman has no --registries.d flag: c/image reads $HOME/.config/containers/registries.d when
# it exists. Makes HOME such a directory whose registries.d is DIR, with the pull policy
# pull_image uses.
home_with_registries_d() { # home dir
  mkdir -p -- "$1/.config/containers"
  ln -sfn -- "$2" "$1/.config/containers/registries.d"
  policy_insecure "$1/pull-policy.json"
}

# The private store as a containers-storage transport prefix for skopeo.
private_storage_ref() { # image
  printf 'containers-storage:[overlay@%s/storage+%s/runroot]%s\n' "$PODMAN_DIR" "$PODMAN_DIR" "$1"
}

# sha256 of the registry's manifest bytes for REF (what a pull by digest names).
manifest_digest() { # ref
  local sum
  sum=$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum) || return 1
  printf 'sha256:%s\n' "${sum%% *}"
}

# Pushes SRC from the private store to docker://REF (gzip layers, as skopeo does), GPG-signing
# with FPR into the lookaside of $REGISTRIES_D when given; prints the manifest digest.
push_image() { # src ref [fpr]
  local sign=()
  [[ -n ${3:-} ]] && sign=(--sign-by "$3")
  skopeo --registries.d "$REGISTRIES_D" copy --quiet --remove-signatures --dest-tls-verify=false \
    ${sign[@]+"${sign[@]}"} "$(private_storage_ref "$1")" "docker://$2" >/dev/null || return 1
  manifest_digest "$2"
}

# The simple-signing payload as c/image and cosign write it for sigstore: Go json.Marshal of a
# map (keys sorted, no whitespace), "optional": null as cosign writes it.
sigstore_payload() { # identity digest
  printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' "$1" "$2"
}

# Writes a blob into an OCI layout directory; prints its digest.
oci_put_blob() { # layout file
  local sum
  sum=$(sha256sum <"$2") || return 1
  sum=${sum%% *}
  mkdir -p -- "$1/blobs/sha256"
  cp -- "$2" "$1/blobs/sha256/$sum"
  printf 'sha256:%s\n' "$sum"
}

# Writes the sigstore attachment for DIGEST in REPO ($REGISTRY/REPO:sha256-<hex>.sig), one
# signature, the way containers/image 5.23 (putSignaturesToSigstoreAttachments) does: an OCI
# manifest, config {"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":
# [payload digest]}}, one layer of type application/vnd.dev.cosign.simplesigning.v1+json whose
# blob is the payload and whose dev.cosignproject.cosign/signature annotation is the base64 DER
# ECDSA signature over the payload bytes. IDENT and SIGNED_DIGEST (default DIGEST) go into the
# payload: other values make replayed or misdirected signatures. IDENT defaults to
# $REGISTRY/REPO without a tag, as cosign signs; c/image signs the reference it pushed
# (REPO:TAG), and only that form satisfies signedIdentity matchRepoDigestOrExact.
sigstore_attach() { # repo digest key [identity [signed-digest]]
  local w rc=0
  w=$(mktemp -d "$SIGN_DIR/payload.XXXXXX") || return 1
  sigstore_payload "${4:-$REGISTRY/$1}" "${5:-$2}" >"$w/payload"
  sigstore_attach_payload "$1" "$2" "$3" "$w/payload" || rc=$?
  rm -rf -- "$w"
  return "$rc"
}

# The same with the payload bytes taken from a file as they are (malformed payloads, wrong
# types), signed by KEY. The attachment is built as an OCI layout and copied with skopeo
# (--preserve-digests: no compression, the blobs stay byte for byte).
sigstore_attach_payload() { # repo digest key payload-file
  local repo=$1 digest=$2 key=$3 w pd cd md sig
  w=$(mktemp -d "$SIGN_DIR/attach.XXXXXX") || return 1
  cp -- "$4" "$w/payload"
  sig=$(openssl dgst -sha256 -sign "$key" "$w/payload" | base64 -w0) || { rm -rf -- "$w"; return 1; }
  pd=$(oci_put_blob "$w/layout" "$w/payload")
  printf '{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "$pd" >"$w/config"
  cd=$(oci_put_blob "$w/layout" "$w/config")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"%s","size":%d,"annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \
    "$cd" "$(stat -c %s "$w/config")" "$pd" "$(stat -c %s "$w/payload")" "$sig" >"$w/manifest"
  md=$(oci_put_blob "$w/layout" "$w/manifest")
  printf '{"imageLayoutVersion":"1.0.0"}' >"$w/layout/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d}]}' \
    "$md" "$(stat -c %s "$w/manifest")" >"$w/layout/index.json"
  skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
    "oci:$w/layout" "docker://$REGISTRY/$repo:${digest/:/-}.sig" >/dev/null || { rm -rf -- "$w"; return 1; }
  rm -rf -- "$w"
}

# The lookaside directory c/image reads for REPO (without registry host) and DIGEST.
lookaside_sig_dir() { # lookaside repo digest
  printf '%s/%s@%s\n' "$1" "$2" "${3/:/=}"
}

# Pulls REF into the private store with HOME=home (its registries.d decides which signatures
# are fetched and stored) and an accept-anything pull policy (the hook decides, not the pull).
pull_image() { # home ref
  HOME=$1 pm pull --quiet --tls-verify=false --signature-policy "$1/pull-policy.json" "$2" >/dev/null
}

policy_insecure() { # file
  printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$1"
}

# A policy requirement: signedBy a GPG key file, or sigstoreSigned by a public key file, with an
# optional signedIdentity object (default: none, i.e. matchRepoDigestOrExact).
req_gpg() { # keyfile [identity-json]
  jq -cn --arg key "$1" --argjson ident "${2:-null}" \
    '{type: "signedBy", keyType: "GPGKeys", keyPath: $key} + (if $ident == null then {} else {signedIdentity: $ident} end)'
}
req_sigstore() { # keyfile [identity-json]
  jq -cn --arg key "$1" --argjson ident "${2:-null}" \
    '{type: "sigstoreSigned", keyPath: $key} + (if $ident == null then {} else {signedIdentity: $ident} end)'
}

# Writes a policy.json that rejects by default and, per docker SCOPE (registry, repository or
# reference), requires the one requirement REQ (JSON, see req_gpg/req_sigstore).
policy_write() { # file [scope req]...
  local file=$1 doc='{"default":[{"type":"reject"}],"transports":{"docker":{}}}'
  shift
  while (($# >= 2)); do
    doc=$(jq -c --arg s "$1" --argjson r "$2" '.transports.docker[$s] = [$r]' <<<"$doc") || return 1
    shift 2
  done
  jq . <<<"$doc" >"$file"
}
