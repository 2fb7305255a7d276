// SPDX-License-Identifier: Apache-2.0
// Simple signing verification with librnp, in process (security.md 1.13: never parse gpg output,
// never spawn gpg). Checks follow containers/image signature/mechanism_gpgme.go and simple.go.
#include <nlohmann/json.hpp>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

#include "hardrun/trust/signature.hpp"
#include "rnp_lazy.hpp"

namespace hardrun::trust {
namespace {

// RAII for librnp handles and buffers.
struct FfiDeleter {
  void operator()(rnp_ffi_st* p) const { rnp_ffi_destroy(p); }
};
struct InputDeleter {
  void operator()(rnp_input_st* p) const { rnp_input_destroy(p); }
};
struct OutputDeleter {
  void operator()(rnp_output_st* p) const { rnp_output_destroy(p); }
};
struct KeyDeleter {
  void operator()(rnp_key_handle_st* p) const { rnp_key_handle_destroy(p); }
};
struct VerifyDeleter {
  void operator()(rnp_op_verify_st* p) const { rnp_op_verify_destroy(p); }
};
struct BufferDeleter {
  void operator()(char* p) const { rnp_buffer_destroy(p); }
};
using Input = std::unique_ptr<rnp_input_st, InputDeleter>;
using Output = std::unique_ptr<rnp_output_st, OutputDeleter>;
using Key = std::unique_ptr<rnp_key_handle_st, KeyDeleter>;
using Verify = std::unique_ptr<rnp_op_verify_st, VerifyDeleter>;
using Buffer = std::unique_ptr<char, BufferDeleter>;

constexpr unsigned k_min_key_bits = 2048;

// No librnp context: librnp could not be loaded (named, with the reason) or refused to create
// one. Either way nothing is imported or verified (fail closed).
Unexpected
no_context(const std::string& what)
{
  const std::string& load_error = detail::rnp_load_error();
  return make_error(Errc::system, what + ": " + (load_error.empty() ? "cannot create a librnp context" : load_error));
}

Unexpected
rnp_failed(const std::string& what, rnp_result_t rc)
{
  const char* text = rnp_result_to_string(rc);
  return make_error(Errc::invalid_input, what + ": " + (text != nullptr ? text : "librnp error"));
}

Result<Input>
memory_input(std::string_view bytes, const std::string& what)
{
  rnp_input_t in = nullptr;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (const rnp_result_t rc = rnp_input_from_memory(&in, data, bytes.size(), false); rc != RNP_SUCCESS) {
    return rnp_failed(what, rc);
  }
  return Input(in);
}

std::string
take(char* raw)
{
  const Buffer owned(raw);
  return raw != nullptr ? std::string(raw) : std::string();
}

std::string
upper(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Still usable now: self-signatures valid, not revoked, not expired (G6).
Result<void>
check_key_usable(rnp_key_handle_t key, const std::string& fpr)
{
  bool valid = false;
  bool revoked = true;
  uint64_t till = 0;
  if (rnp_key_is_valid(key, &valid) != RNP_SUCCESS || rnp_key_is_revoked(key, &revoked) != RNP_SUCCESS ||
      rnp_key_valid_till64(key, &till) != RNP_SUCCESS) {
    return make_error(Errc::invalid_input, "key " + fpr + ": cannot determine its validity");
  }
  if (revoked) {
    return make_error(Errc::invalid_input, "key " + fpr + " is revoked");
  }
  const auto now = static_cast<uint64_t>(std::time(nullptr));
  if (till <= now) {
    return make_error(Errc::invalid_input, "key " + fpr + " is expired or was never valid");
  }
  if (!valid) {
    return make_error(Errc::invalid_input, "key " + fpr + " is not valid (bad self-signature)");
  }
  return {};
}

// Why a signature did not verify, as precisely as librnp lets us say: unknown signer (G5),
// revoked or expired key (G6), or a bad signature.
Unexpected
explain_failure(rnp_op_verify_signature_t sig, rnp_result_t rc)
{
  const std::string generic = "simple-signing signature does not verify with the policy's keys";
  if (sig == nullptr) {
    return rnp_failed(generic, rc);
  }
  rnp_key_handle_t raw_key = nullptr;
  if (rnp_op_verify_signature_get_key(sig, &raw_key) != RNP_SUCCESS || raw_key == nullptr) {
    rnp_signature_handle_t raw_handle = nullptr;
    std::string keyid;
    if (rnp_op_verify_signature_get_handle(sig, &raw_handle) == RNP_SUCCESS && raw_handle != nullptr) {
      char* raw_id = nullptr;
      if (rnp_signature_get_keyid(raw_handle, &raw_id) == RNP_SUCCESS) {
        keyid = take(raw_id);
      }
      rnp_signature_handle_destroy(raw_handle);
    }
    return make_error(Errc::invalid_input, "simple-signing signature by key " + (keyid.empty() ? "?" : keyid) +
                                             ", which is not one of the policy's keys");
  }
  const Key key(raw_key);
  char* raw_fpr = nullptr;
  const std::string fpr = rnp_key_get_fprint(key.get(), &raw_fpr) == RNP_SUCCESS ? take(raw_fpr) : "?";
  if (auto usable = check_key_usable(key.get(), fpr); !usable) {
    return tl::unexpected(std::move(usable).error());
  }
  return rnp_failed(generic, rc);
}

} // namespace

struct GpgKeyring::Impl {
  std::unique_ptr<rnp_ffi_st, FfiDeleter> ffi;
};

GpgKeyring::GpgKeyring() : m_impl(std::make_unique<Impl>())
{
  // The first GpgKeyring loads librnp (rnp_lazy.cpp); in hardrun-hook that is the trust
  // policy load, before the sandbox.
  rnp_ffi_t ffi = nullptr;
  if (detail::rnp_load_error().empty() && rnp_ffi_create(&ffi, "GPG", "GPG") == RNP_SUCCESS) {
    m_impl->ffi.reset(ffi);
  }
}

GpgKeyring::~GpgKeyring() = default;

Result<void>
GpgKeyring::import(std::string_view bytes, const std::string& what)
{
  if (!m_impl->ffi) {
    return no_context(what);
  }
  HARDRUN_TRY_ASSIGN(in, memory_input(bytes, what));
  char* raw_results = nullptr;
  const rnp_result_t rc = rnp_import_keys(m_impl->ffi.get(), in.get(), RNP_LOAD_SAVE_PUBLIC_KEYS, &raw_results);
  const std::string results = take(raw_results);
  if (rc != RNP_SUCCESS) {
    return rnp_failed(what + ": not an OpenPGP public key", rc);
  }
  const auto json = nlohmann::json::parse(results, nullptr, false);
  if (json.is_discarded() || !json.contains("keys") || !json["keys"].is_array()) {
    return make_error(Errc::invalid_input, what + ": librnp returned no key list");
  }
  std::size_t primaries = 0;
  for (const auto& entry : json["keys"]) {
    if (!entry.contains("fingerprint") || !entry["fingerprint"].is_string()) {
      continue;
    }
    const std::string fpr = upper(entry["fingerprint"].get<std::string>());
    rnp_key_handle_t raw = nullptr;
    if (rnp_locate_key(m_impl->ffi.get(), "fingerprint", fpr.c_str(), &raw) != RNP_SUCCESS || raw == nullptr) {
      return make_error(Errc::invalid_input, what + ": imported key " + fpr + " cannot be found");
    }
    const Key key(raw);
    bool primary = false;
    if (rnp_key_is_primary(key.get(), &primary) != RNP_SUCCESS || !primary) {
      continue;
    }
    char* raw_alg = nullptr;
    uint32_t bits = 0;
    if (rnp_key_get_alg(key.get(), &raw_alg) != RNP_SUCCESS || rnp_key_get_bits(key.get(), &bits) != RNP_SUCCESS) {
      return make_error(Errc::invalid_input, what + ": key " + fpr + ": unknown algorithm");
    }
    const std::string alg = take(raw_alg);
    // Threat: a factorable key lets anyone sign (P7); refuse weak RSA/DSA/ElGamal at load.
    if ((alg == RNP_ALGNAME_RSA || alg == RNP_ALGNAME_DSA || alg == RNP_ALGNAME_ELGAMAL) && bits < k_min_key_bits) {
      return make_error(Errc::invalid_input,
                        what + ": key " + fpr + " is " + alg + "-" + std::to_string(bits) + ", weaker than 2048 bits");
    }
    ++primaries;
    if (std::find(m_fingerprints.begin(), m_fingerprints.end(), fpr) == m_fingerprints.end()) {
      m_fingerprints.push_back(fpr);
    }
  }
  if (primaries == 0) {
    return make_error(Errc::invalid_input, what + ": contains no OpenPGP public (primary) key");
  }
  return {};
}

Result<Verified>
GpgKeyring::verify(std::string_view blob) const
{
  if (!m_impl->ffi) {
    return no_context("simple-signing blob");
  }
  if (blob.size() > k_signature_max_bytes) {
    return make_error(Errc::invalid_input, "signature larger than 64 KiB");
  }
  HARDRUN_TRY_ASSIGN(in, memory_input(blob, "simple-signing blob"));
  rnp_output_t raw_out = nullptr;
  // Threat: a compressed message is a decompression bomb; the output buffer is capped (G9).
  if (const rnp_result_t rc = rnp_output_to_memory(&raw_out, k_signature_max_bytes); rc != RNP_SUCCESS) {
    return rnp_failed("simple-signing blob", rc);
  }
  const Output out(raw_out);
  rnp_op_verify_t raw_op = nullptr;
  if (const rnp_result_t rc = rnp_op_verify_create(&raw_op, m_impl->ffi.get(), in.get(), out.get());
      rc != RNP_SUCCESS) {
    return rnp_failed("simple-signing blob", rc);
  }
  const Verify op(raw_op);
  const rnp_result_t exec_rc = rnp_op_verify_execute(op.get());
  size_t count = 0;
  if (rnp_op_verify_get_signature_count(op.get(), &count) != RNP_SUCCESS) {
    count = 0;
  }
  // Threat: extra signatures by other keys riding along with a good one; c/image requires
  // exactly one (mechanism_gpgme.go: len(sigs) != 1) (G6).
  if (count > 1) {
    return make_error(Errc::invalid_input,
                      "simple-signing blob has " + std::to_string(count) + " signatures, exactly one is required");
  }
  if (count == 0) {
    return rnp_failed("simple-signing blob has no signature it could check", exec_rc);
  }
  rnp_op_verify_signature_t sig = nullptr;
  if (count == 1 && rnp_op_verify_get_signature_at(op.get(), 0, &sig) != RNP_SUCCESS) {
    sig = nullptr;
  }
  if (exec_rc != RNP_SUCCESS || sig == nullptr) {
    return explain_failure(sig, exec_rc);
  }
  char* raw_mode = nullptr;
  if (rnp_op_verify_get_protection_info(op.get(), &raw_mode, nullptr, nullptr) != RNP_SUCCESS ||
      take(raw_mode) != "none") {
    // Simple signing is never encrypted; an encrypted message is not one.
    return make_error(Errc::invalid_input, "simple-signing blob is encrypted");
  }
  if (const rnp_result_t status = rnp_op_verify_signature_get_status(sig); status != RNP_SUCCESS) {
    return explain_failure(sig, status);
  }
  rnp_key_handle_t raw_key = nullptr;
  if (rnp_op_verify_signature_get_key(sig, &raw_key) != RNP_SUCCESS || raw_key == nullptr) {
    return make_error(Errc::invalid_input, "simple-signing signature: signing key not among the policy's keys");
  }
  const Key key(raw_key);
  char* raw_fpr = nullptr;
  bool is_sub = false;
  if (rnp_key_is_sub(key.get(), &is_sub) != RNP_SUCCESS) {
    return make_error(Errc::invalid_input, "simple-signing signature: cannot inspect the signing key");
  }
  const rnp_result_t frc = is_sub ? rnp_key_get_primary_fprint(key.get(), &raw_fpr) : rnp_key_get_fprint(key.get(), &raw_fpr);
  const std::string primary_fpr = upper(take(raw_fpr));
  if (frc != RNP_SUCCESS || primary_fpr.empty()) {
    return make_error(Errc::invalid_input, "simple-signing signature: cannot find the primary key of the signer");
  }
  // The signer is identified by its primary key (a subkey maps to it), and must be one the
  // requirement lists, not merely one that happens to be in a keyring (R11).
  if (std::find(m_fingerprints.begin(), m_fingerprints.end(), primary_fpr) == m_fingerprints.end()) {
    return make_error(Errc::invalid_input, "signature by key " + primary_fpr + " is not accepted");
  }
  HARDRUN_TRY(check_key_usable(key.get(), primary_fpr));
  if (is_sub) {
    rnp_key_handle_t raw_primary = nullptr;
    if (rnp_locate_key(m_impl->ffi.get(), "fingerprint", primary_fpr.c_str(), &raw_primary) != RNP_SUCCESS ||
        raw_primary == nullptr) {
      return make_error(Errc::invalid_input, "simple-signing signature: primary key " + primary_fpr + " not found");
    }
    const Key primary(raw_primary);
    HARDRUN_TRY(check_key_usable(primary.get(), primary_fpr));
  }
  uint8_t* buf = nullptr;
  size_t len = 0;
  if (rnp_output_memory_get_buf(out.get(), &buf, &len, false) != RNP_SUCCESS) {
    return make_error(Errc::invalid_input, "simple-signing blob: cannot read its payload");
  }
  std::string payload(reinterpret_cast<const char*>(buf), len);
  return Verified{std::move(payload), primary_fpr};
}

} // namespace hardrun::trust
