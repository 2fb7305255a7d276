// SPDX-License-Identifier: Apache-2.0
// Sigstore signatures with public keys, verified with OpenSSL as containers/image does
// (signature/internal/sigstore_payload.go: SHA-256 hard-coded; sigstore LoadVerifier picks ECDSA
// DER, RSA PKCS#1 v1.5 or Ed25519 from the key type).
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "hardrun/image/reference.hpp"
#include "hardrun/spec/fields.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/trust/signature.hpp"

namespace hardrun::trust {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

constexpr std::string_view k_prefix{"\0sigstore-json\n", 15};
constexpr std::string_view k_begin = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view k_end = "-----END PUBLIC KEY-----";
constexpr const char* k_signature_annotation = "dev.cosignproject.cosign/signature";
constexpr const char* k_certificate_annotation = "dev.sigstore.cosign/certificate";

Unexpected
bad_key(const std::string& what, const std::string& problem)
{
  return make_error(Errc::invalid_input, what + ": " + problem);
}

bool
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view
trim(std::string_view s)
{
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// The DER of exactly one "PUBLIC KEY" PEM block with nothing but whitespace around it.
Result<std::string>
pem_body(std::string_view pem, const std::string& what)
{
  const std::string_view text = trim(pem);
  if (text.substr(0, k_begin.size()) != k_begin) {
    return bad_key(what, "not a PEM \"PUBLIC KEY\" (expected " + std::string(k_begin) + ")");
  }
  if (text.size() < k_begin.size() + k_end.size() || text.substr(text.size() - k_end.size()) != k_end) {
    return bad_key(what, "does not end with " + std::string(k_end) + " (trailing data?)");
  }
  const std::string_view inner = text.substr(k_begin.size(), text.size() - k_begin.size() - k_end.size());
  if (inner.find("-----") != std::string_view::npos) {
    return bad_key(what, "holds more than one PEM block; put one key per file (keyPaths)");
  }
  std::string b64;
  for (const char c : inner) {
    if (!is_space(c)) {
      b64 += c;
    }
  }
  auto der = base64_decode(b64);
  if (!der) {
    return bad_key(what, der.error().message);
  }
  return std::move(*der);
}

// The DER SubjectPublicKeyInfo headers (RFC 5480 §2, RFC 8410 §4) of an uncompressed P-256,
// P-384, P-521 point and of an Ed25519 key: everything before the key bytes, which are the rest.
struct SpkiForm {
  std::string_view header;
  std::size_t key_bytes;
  const char* type;  // OpenSSL key type name
  const char* group; // OpenSSL EC group name, nullptr for Ed25519
};
constexpr SpkiForm k_spki_forms[] = {
  {std::string_view("\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
                    "\x03\x42\x00", 26), 65, "EC", "prime256v1"},
  {std::string_view("\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00", 23),
   97, "EC", "secp384r1"},
  {std::string_view("\x30\x81\x9b\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x23\x03\x81"
                    "\x86\x00", 25), 133, "EC", "secp521r1"},
  {std::string_view("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12), 32, "ED25519", nullptr},
};

// The key of a SubjectPublicKeyInfo of one of k_spki_forms, built from its raw key bytes with
// EVP_PKEY_fromdata; nullptr for any other form (the caller falls back to d2i_PUBKEY).
// Why: d2i_PUBKEY goes through OSSL_DECODER_CTX_new_for_pkey, which enumerates every key
// manager and decoder of every provider (about 5 million instructions, 1.5-2 ms of every hook
// run). The result is the same key: the point is checked to lie on the curve by the import,
// and everything after this (type, curve, key id = SHA-256 of the DER) is checked as before.
Pkey
known_spki_key(std::string_view der)
{
  for (const auto& form : k_spki_forms) {
    if (der.size() != form.header.size() + form.key_bytes || der.substr(0, form.header.size()) != form.header) {
      continue;
    }
    const auto* raw = reinterpret_cast<const unsigned char*>(der.data() + form.header.size());
    if (form.group == nullptr) {
      return Pkey(EVP_PKEY_new_raw_public_key_ex(nullptr, form.type, nullptr, raw, form.key_bytes));
    }
    const std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, form.type, nullptr), &EVP_PKEY_CTX_free);
    OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(form.group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<unsigned char*>(raw), form.key_bytes),
      OSSL_PARAM_construct_end(),
    };
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      return nullptr;
    }
    return Pkey(key);
  }
  return nullptr;
}

std::string
key_id(const std::string& der)
{
  return image::sha256_digest(der);
}

Result<bool>
verify_with(EVP_PKEY* key, std::string_view payload, std::string_view sig)
{
  const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) {
    return make_error(Errc::system, "out of memory");
  }
  const int type = EVP_PKEY_get_base_id(key);
  const EVP_MD* md = type == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
    return make_error(Errc::system, "cannot initialise signature verification");
  }
  if (type == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return make_error(Errc::system, "cannot select RSA PKCS#1 v1.5 padding");
  }
  // OpenSSL's ECDSA verify re-encodes the DER signature and refuses trailing or non-canonical
  // bytes; Ed25519 and RSA signatures have a fixed length (G8).
  const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                  reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  return rc == 1;
}

} // namespace

struct SigstoreKeys::Impl {
  struct Entry {
    Pkey key;
    std::string id;
  };
  std::vector<Entry> keys;
};

SigstoreKeys::SigstoreKeys() : m_impl(std::make_unique<Impl>()) {}
SigstoreKeys::~SigstoreKeys() = default;

std::size_t
SigstoreKeys::size() const
{
  return m_impl->keys.size();
}

Result<void>
SigstoreKeys::add_pem(std::string_view pem, const std::string& what)
{
  HARDRUN_TRY_ASSIGN(der, pem_body(pem, what));
  Pkey key = known_spki_key(der);
  if (!key) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!key) {
      return bad_key(what, "not a valid DER SubjectPublicKeyInfo");
    }
    if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
      return bad_key(what, "trailing bytes after the DER public key");
    }
  }
  const int type = EVP_PKEY_get_base_id(key.get());
  const int bits = EVP_PKEY_get_bits(key.get());
  if (type == EVP_PKEY_RSA) {
    // Threat: a factorable key lets anyone sign (P7).
    if (bits < 2048) {
      return bad_key(what, "RSA key of " + std::to_string(bits) + " bits; at least 2048 are required");
    }
  } else if (type == EVP_PKEY_EC) {
    char curve[64] = {};
    if (EVP_PKEY_get_utf8_string_param(key.get(), "group", curve, sizeof curve, nullptr) != 1) {
      return bad_key(what, "EC key without a named curve");
    }
    const std::string_view name(curve);
    // The curves sigstore (Go crypto/ecdsa) verifies; anything else is refused at load (P7).
    if (name != "prime256v1" && name != "secp384r1" && name != "secp521r1") {
      return bad_key(what, "EC curve " + std::string(name) + " is not supported (P-256, P-384, P-521 are)");
    }
  } else if (type != EVP_PKEY_ED25519) {
    return bad_key(what, "unsupported key type (ECDSA, RSA and Ed25519 are supported)");
  }
  m_impl->keys.push_back({std::move(key), key_id(der)});
  return {};
}

Result<Verified>
SigstoreKeys::verify(std::string_view blob) const
{
  if (blob.size() > k_signature_max_bytes) {
    return make_error(Errc::invalid_input, "signature larger than 64 KiB");
  }
  if (blob.substr(0, k_prefix.size()) != k_prefix) {
    return make_error(Errc::invalid_input, "not a sigstore signature");
  }
  HARDRUN_TRY_ASSIGN(doc, spec::parse_strict(blob.substr(k_prefix.size()), "sigstore signature",
                                             spec::ParseLimits{k_signature_max_bytes, 16}));
  auto fields = [&]() -> Result<std::pair<std::string, std::string>> {
    HARDRUN_TRY_ASSIGN(f, spec::Fields::of(doc, "", false));
    HARDRUN_TRY_ASSIGN(mime_v, f.required("mimeType"));
    HARDRUN_TRY_ASSIGN(payload_v, f.required("payload"));
    HARDRUN_TRY_ASSIGN(annotations_v, f.required("annotations"));
    HARDRUN_TRY(f.finish());
    HARDRUN_TRY(spec::get_string(*mime_v, "/mimeType"));
    HARDRUN_TRY_ASSIGN(payload_b64, spec::get_string(*payload_v, "/payload"));
    if (!annotations_v->is_object()) {
      return spec::bad_value("/annotations", "must be an object");
    }
    for (const auto& [k, v] : annotations_v->items()) {
      if (!v.is_string()) {
        return spec::bad_value(spec::pointer_append("/annotations", k), "must be a string");
      }
    }
    // Threat: a keyless signature whose certificate we would not check; refuse it clearly
    // rather than let it pass for a key-based one.
    if (annotations_v->contains(k_certificate_annotation)) {
      return make_error(Errc::invalid_input,
                        "carries a Fulcio certificate: keyless sigstore signatures are not supported");
    }
    const auto sig = annotations_v->find(k_signature_annotation);
    if (sig == annotations_v->end()) {
      return spec::bad_value("/annotations", std::string("missing ") + k_signature_annotation);
    }
    return std::make_pair(payload_b64, sig->get<std::string>());
  }();
  if (!fields) {
    return tl::unexpected(std::move(fields).error().with_context("sigstore signature"));
  }
  auto payload = base64_decode(fields->first);
  if (!payload) {
    return tl::unexpected(std::move(payload).error().with_context("sigstore payload"));
  }
  auto sig = base64_decode(fields->second);
  if (!sig) {
    return tl::unexpected(std::move(sig).error().with_context("sigstore signature annotation"));
  }
  if (sig->empty()) {
    return make_error(Errc::invalid_input, "sigstore signature is empty");
  }
  // Verify the exact payload bytes before anything parses them (R11).
  for (const auto& entry : m_impl->keys) {
    HARDRUN_TRY_ASSIGN(ok, verify_with(entry.key.get(), *payload, *sig));
    if (ok) {
      return Verified{std::move(*payload), entry.id};
    }
  }
  return make_error(Errc::invalid_input, "sigstore signature does not verify with the policy's keys");
}

} // namespace hardrun::trust
