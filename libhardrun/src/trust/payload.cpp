// SPDX-License-Identifier: Apache-2.0
// Signature blob formats and payload claims (containers/image signature/simple.go,
// signature/internal/sigstore_payload.go, internal/signature/signature.go).
#include <array>
#include <cmath>

#include "hardrun/image/reference.hpp"
#include "hardrun/spec/fields.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/trust/signature.hpp"

namespace hardrun::trust {
namespace {

using spec::Fields;
using spec::Json;

constexpr std::string_view k_sigstore_prefix{"\0sigstore-json\n", 15};
constexpr std::string_view k_atomic_type = "atomic container signature";
constexpr std::string_view k_cosign_type = "cosign container image signature";

Unexpected
invalid(std::string_view what, const std::string& problem)
{
  return make_error(Errc::invalid_input, std::string(what) + ": " + problem);
}

Result<std::string>
string_member(Fields& f, const char* key)
{
  HARDRUN_TRY_ASSIGN(v, f.required(key));
  return spec::get_string(*v, f.at(key));
}

// "optional": creator must be a string and timestamp an integer; every other key is ignored.
Result<void>
check_optional(const Json& optional, SignatureFormat format)
{
  if (optional.is_null() && format == SignatureFormat::sigstore) {
    return {}; // real cosign writes "optional": null; c/image accepts it for sigstore only
  }
  if (!optional.is_object()) {
    return spec::bad_value("/optional", "must be an object");
  }
  if (const auto it = optional.find("creator"); it != optional.end() && !it->is_string()) {
    return spec::bad_value("/optional/creator", "must be a string");
  }
  if (const auto it = optional.find("timestamp"); it != optional.end()) {
    if (!it->is_number()) {
      return spec::bad_value("/optional/timestamp", "must be a number");
    }
    const double t = it->get<double>();
    if (it->is_number_float() && (!std::isfinite(t) || std::trunc(t) != t)) {
      return spec::bad_value("/optional/timestamp", "is not an integer");
    }
  }
  return {};
}

} // namespace

SignatureFormat
signature_format(std::string_view blob)
{
  if (blob.substr(0, k_sigstore_prefix.size()) == k_sigstore_prefix) {
    return SignatureFormat::sigstore;
  }
  if (blob.empty()) {
    return SignatureFormat::unknown;
  }
  // The first bytes of an OpenPGP message c/image recognises as simple signing.
  static constexpr std::array<unsigned char, 15> k_pgp = {0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92,
                                                          0x3d, 0xc4, 0x88, 0x89, 0x8a, 0x8b, 0xc2};
  const auto first = static_cast<unsigned char>(blob.front());
  for (const unsigned char b : k_pgp) {
    if (first == b) {
      return SignatureFormat::simple_signing;
    }
  }
  return SignatureFormat::unknown;
}

std::string_view
format_name(SignatureFormat format)
{
  switch (format) {
  case SignatureFormat::simple_signing:
    return "simple-signing";
  case SignatureFormat::sigstore:
    return "sigstore";
  case SignatureFormat::unknown:
    break;
  }
  return "unknown";
}

Result<SignedClaims>
parse_payload(std::string_view payload, SignatureFormat format)
{
  const std::string what = std::string(format_name(format)) + " payload";
  if (format == SignatureFormat::unknown) {
    return invalid(what, "unknown signature format");
  }
  // Threat: parser differentials (duplicate keys, trailing data, NUL) between what was signed
  // and what is read; parse_strict refuses them all (G7, R8).
  auto parsed = spec::parse_strict(payload, what, spec::ParseLimits{k_signature_max_bytes, 16});
  if (!parsed) {
    return tl::unexpected(std::move(parsed).error());
  }
  const Json& doc = *parsed;
  auto claims = [&]() -> Result<SignedClaims> {
    HARDRUN_TRY_ASSIGN(top, Fields::of(doc, "", false));
    HARDRUN_TRY_ASSIGN(critical, top.required("critical"));
    HARDRUN_TRY_ASSIGN(optional, top.required("optional"));
    HARDRUN_TRY(top.finish());
    HARDRUN_TRY(check_optional(*optional, format));

    // Unknown critical fields are errors: a signer may have meant a constraint we would ignore.
    HARDRUN_TRY_ASSIGN(c, Fields::of(*critical, "/critical", false));
    HARDRUN_TRY_ASSIGN(type, string_member(c, "type"));
    HARDRUN_TRY_ASSIGN(image_v, c.required("image"));
    HARDRUN_TRY_ASSIGN(identity_v, c.required("identity"));
    HARDRUN_TRY(c.finish());
    // Threat: type confusion, a payload signed for one format accepted as the other (G4).
    const std::string_view expected = format == SignatureFormat::sigstore ? k_cosign_type : k_atomic_type;
    if (type != expected) {
      return spec::bad_value("/critical/type", "is \"" + type.substr(0, 64) + "\", not \"" + std::string(expected) + "\"");
    }
    HARDRUN_TRY_ASSIGN(im, Fields::of(*image_v, "/critical/image", false));
    HARDRUN_TRY_ASSIGN(digest, string_member(im, "docker-manifest-digest"));
    HARDRUN_TRY(im.finish());
    HARDRUN_TRY_ASSIGN(id, Fields::of(*identity_v, "/critical/identity", false));
    HARDRUN_TRY_ASSIGN(reference, string_member(id, "docker-reference"));
    HARDRUN_TRY(id.finish());
    // Threat: a digest is compared and may end up in paths; only sha256 + 64 lowercase hex (I3).
    if (!image::is_sha256_digest(digest)) {
      return spec::bad_value("/critical/image/docker-manifest-digest", "is not sha256: with 64 lowercase hex");
    }
    return SignedClaims{std::move(digest), std::move(reference)};
  }();
  if (!claims) {
    return tl::unexpected(std::move(claims).error().with_context(what));
  }
  return claims;
}

Result<std::string>
base64_decode(std::string_view text)
{
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  };
  if (text.size() % 4 != 0) {
    return make_error(Errc::invalid_input, "invalid base64: length is not a multiple of 4");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::array<int, 4> v{};
    int pad = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        v.at(j) = 0;
        continue;
      }
      if (pad > 0 || (v.at(j) = value(c)) < 0) {
        return make_error(Errc::invalid_input, "invalid base64: unexpected character at offset " + std::to_string(i + j));
      }
    }
    const auto n = (static_cast<unsigned>(v[0]) << 18U) | (static_cast<unsigned>(v[1]) << 12U) |
                   (static_cast<unsigned>(v[2]) << 6U) | static_cast<unsigned>(v[3]);
    // Non-canonical encodings (bits set in the padding) are refused, as Go's strict decoder.
    if ((pad == 1 && (n & 0xffU) != 0) || (pad == 2 && (n & 0xffffU) != 0)) {
      return make_error(Errc::invalid_input, "invalid base64: non-zero padding bits");
    }
    out += static_cast<char>((n >> 16U) & 0xffU);
    if (pad < 2) {
      out += static_cast<char>((n >> 8U) & 0xffU);
    }
    if (pad < 1) {
      out += static_cast<char>(n & 0xffU);
    }
  }
  return out;
}

} // namespace hardrun::trust
