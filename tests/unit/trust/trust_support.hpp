// SPDX-License-Identifier: Apache-2.0
// Helpers of the trust tests: fixtures (tests/data/trust, made by make-fixtures.sh), policies in
// temp dirs, evidence builders, and sigstore signing with the committed test-only private keys.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "../support.hpp"
#include "hardrun/image/evidence.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/trust/decision.hpp"
#include "hardrun/trust/policy.hpp"
#include "hardrun/trust/signature.hpp"

namespace hardrun::test {

inline std::string
trust_fixture(const std::string& rel)
{
  return data_path("data/trust/" + rel);
}

inline std::string
read_fixture(const std::string& rel)
{
  return read_text(trust_fixture(rel));
}

inline std::string
trim_line(std::string s)
{
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();
  }
  return s;
}

inline const std::string k_repo = "127.0.0.1:5000/research/busybox";

// Digest of a fixture manifest, computed here (the fixtures are regenerated with new digests).
inline std::string
manifest_digest(const std::string& name)
{
  return image::sha256_digest(read_fixture("manifests/" + name));
}

inline std::string
image_id()
{
  return image::sha256_digest(read_fixture("manifests/config.json")).substr(7);
}

inline std::string
digest_d()
{
  return manifest_digest("manifest.json");
}

// Evidence of a container running k_repo@D (manifest.json, config.json) with `sigs` stored for D.
inline image::Evidence
evidence(const std::vector<std::string>& sigs, const std::string& reference = "")
{
  image::Evidence ev;
  ev.source = "containers-storage";
  ev.container_id = std::string(64, 'c');
  ev.reference = reference.empty() ? k_repo + "@" + digest_d() : reference;
  ev.image_id = image_id();
  ev.manifests[digest_d()] = read_fixture("manifests/manifest.json");
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    ev.signatures[digest_d()].push_back({sigs[i], "test#" + std::to_string(i + 1)});
  }
  return ev;
}

inline std::string
gpg_sig(const std::string& name)
{
  return read_fixture("gpg/" + name + ".sig");
}

// Copy a fixture key into `dir` with mode 0644 (the loader refuses group/world-writable keys,
// whatever umask the checkout had).
inline std::string
key_copy(const TempDir& dir, const std::string& rel)
{
  std::string name = rel;
  for (char& c : name) {
    if (c == '/') {
      c = '-';
    }
  }
  const std::string path = dir.file(name);
  write_text(path, read_fixture(rel));
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  return path;
}

// Write `text` as policy.json in `dir` and load it.
inline Result<trust::TrustPolicy>
load_policy_text(const TempDir& dir, const std::string& text)
{
  const std::string path = dir.file("policy.json");
  write_text(path, text);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  return trust::load_trust_policy(path);
}

inline trust::TrustPolicy
policy_of(const TempDir& dir, const std::string& text)
{
  auto p = load_policy_text(dir, text);
  if (!p) {
    FAIL("policy: " << p.error().what() << "\n" << text);
  }
  return std::move(*p);
}

inline std::string
cosign_payload(const std::string& reference, const std::string& digest,
               const std::string& type = "cosign container image signature", const std::string& optional = "null")
{
  return R"({"critical":{"identity":{"docker-reference":")" + reference + R"("},"image":{"docker-manifest-digest":")" +
         digest + R"("},"type":")" + type + R"("},"optional":)" + optional + "}";
}

inline std::string
base64(std::string_view bytes)
{
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Raw signature over `payload` with the PKCS#8 PEM private key fixture `key` (sigstore/<key>.key):
// SHA-256 ECDSA DER / RSA PKCS#1 v1.5, or Ed25519, as cosign and c/image sign.
inline std::string
sign_raw(const std::string& key, std::string_view payload)
{
  const std::string pem = read_fixture("sigstore/" + key + ".key");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                           EVP_PKEY_free);
  REQUIRE(pkey);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const EVP_MD* md = EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey.get()) == 1);
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, data, payload.size()) == 1);
  std::string sig(len, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, payload.size()) == 1);
  sig.resize(len);
  return sig;
}

// A stored sigstore blob: "\0sigstore-json\n" + {"mimeType","payload","annotations"}.
inline std::string
sigstore_blob_raw(const std::string& payload_b64, const std::string& signature_b64, const std::string& extra = "")
{
  return std::string("\0sigstore-json\n", 15) +
         R"({"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json","payload":")" + payload_b64 +
         R"(","annotations":{"dev.cosignproject.cosign/signature":")" + signature_b64 + "\"" + extra + "}}";
}

inline std::string
sigstore_blob(const std::string& key, const std::string& payload, const std::string& extra = "")
{
  return sigstore_blob_raw(base64(payload), base64(sign_raw(key, payload)), extra);
}

inline std::string
sigstore_good(const std::string& key = "p256")
{
  return sigstore_blob(key, cosign_payload(k_repo + ":cosign", digest_d()));
}

inline std::string
gpg_policy(const TempDir& dir, const std::string& key = "gpg/trusted.gpg", const std::string& identity = "")
{
  return R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + k_repo +
         R"(":[{"type":"signedBy","keyType":"GPGKeys","keyPath":")" + key_copy(dir, key) + "\"" +
         (identity.empty() ? "" : ",\"signedIdentity\":" + identity) + "}]}}}";
}

inline std::string
sigstore_policy(const TempDir& dir, const std::string& key = "p256", const std::string& identity = "")
{
  return R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + k_repo +
         R"(":[{"type":"sigstoreSigned","keyPath":")" + key_copy(dir, "sigstore/" + key + ".pub") + "\"" +
         (identity.empty() ? "" : ",\"signedIdentity\":" + identity) + "}]}}}";
}

inline trust::Decision
decided(const trust::TrustPolicy& policy, const image::Evidence& ev)
{
  auto d = trust::decide(policy, ev);
  if (!d) {
    FAIL("decide: " << d.error().what());
  }
  // Every report is one line.
  CHECK(d->reason.find('\n') == std::string::npos);
  CHECK(d->fix.find('\n') == std::string::npos);
  return *d;
}

} // namespace hardrun::test
