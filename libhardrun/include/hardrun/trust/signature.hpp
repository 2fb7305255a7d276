// SPDX-License-Identifier: Apache-2.0
// In-process signature verification: simple signing (OpenPGP via librnp) and sigstore (public
// keys via OpenSSL). Nothing here runs gpg, gpgv, cosign or any other process (security.md 1.13).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::trust {

// Caps (security.md R8, G9).
inline constexpr std::size_t k_signature_max_bytes = 64U << 10U;
inline constexpr std::size_t k_max_signatures = 100;
inline constexpr std::size_t k_manifest_max_bytes = 4U << 20U;

enum class SignatureFormat { simple_signing, sigstore, unknown };

// What a stored blob is, by its first bytes as containers/image's signature.FromBlob decides:
// "\0sigstore-json\n" is sigstore; the OpenPGP packet tags c/image accepts are simple signing.
[[nodiscard]] SignatureFormat signature_format(std::string_view blob);
[[nodiscard]] std::string_view format_name(SignatureFormat format);

// A signature whose cryptography checked out: the exact signed bytes and who signed them.
struct Verified {
  std::string payload;
  std::string signer; // OpenPGP: primary key fingerprint (upper hex); sigstore: "sha256:<SPKI hash>"
};

// The OpenPGP public keys one signedBy requirement accepts, in a librnp key store of their own
// (a signature can only verify against these keys, never against some other keyring).
// Note: Debian's librnp 0.16 is built without NDEBUG and writes "[function() file:line] ..."
// diagnostics to stderr when a blob or key is bad; every failure is also returned as an Error.
class GpgKeyring {
public:
  GpgKeyring();
  ~GpgKeyring();
  GpgKeyring(const GpgKeyring&) = delete;
  GpgKeyring& operator=(const GpgKeyring&) = delete;

  // Import binary or armored public keys. Errors name `what`: nothing importable, garbage, or a
  // primary key weaker than RSA/DSA 2048 bits (P7).
  [[nodiscard]] Result<void> import(std::string_view bytes, const std::string& what);
  // Primary key fingerprints (upper-case hex) accepted as signers.
  [[nodiscard]] const std::vector<std::string>& fingerprints() const { return m_fingerprints; }

  // Verify a simple-signing blob (a signed, usually compressed, OpenPGP message): exactly one
  // signature, made by a valid (not expired, not revoked) key whose primary fingerprint is one
  // of fingerprints(), over a literal-data payload of at most 64 KiB (security.md R11, G5, G6).
  [[nodiscard]] Result<Verified> verify(std::string_view blob) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::vector<std::string> m_fingerprints;
};

// The public keys of one sigstoreSigned requirement.
class SigstoreKeys {
public:
  SigstoreKeys();
  ~SigstoreKeys();
  SigstoreKeys(const SigstoreKeys&) = delete;
  SigstoreKeys& operator=(const SigstoreKeys&) = delete;

  // Add one PEM "PUBLIC KEY" (PKIX). Refused (P7), naming `what`: not exactly one PEM block,
  // anything but whitespace around it, bad base64 or DER, trailing DER bytes, RSA under 2048
  // bits, an EC curve other than P-256/P-384/P-521, RSA-PSS-only keys, other key types.
  [[nodiscard]] Result<void> add_pem(std::string_view pem, const std::string& what);
  [[nodiscard]] std::size_t size() const;

  // Verify a sigstore blob ("\0sigstore-json\n" + JSON) as containers/image does: the base64
  // signature annotation over the exact payload bytes, SHA-256 (ECDSA DER, RSA PKCS#1 v1.5) or
  // Ed25519, against any of the keys; only then is the payload returned for parsing (R11).
  // A blob that carries a Fulcio certificate is refused as keyless (unsupported).
  [[nodiscard]] Result<Verified> verify(std::string_view blob) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The claims of a verified payload.
struct SignedClaims {
  std::string manifest_digest;  // "sha256:<64 hex>"
  std::string docker_reference; // as signed, not normalised
};

// Parse a payload exactly as containers/image's untrusted signature parsers do (paranoid JSON:
// no duplicate keys, no trailing data; "critical" with exactly type/image/identity, the type of
// the format; "optional" an object, or null for sigstore; timestamp an integer) (G4, G7).
[[nodiscard]] Result<SignedClaims> parse_payload(std::string_view payload, SignatureFormat format);

// Standard base64 with padding (Go's base64.StdEncoding), nothing else: no whitespace, no
// URL alphabet, no missing padding.
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

} // namespace hardrun::trust
