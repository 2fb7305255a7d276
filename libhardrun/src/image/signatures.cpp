// SPDX-License-Identifier: Apache-2.0
#include "hardrun/image/signatures.hpp"

#include <cstdint>

namespace hardrun::image {
namespace {

// First bytes c/image accepts as OpenPGP (signature/internal: old/new-format packet tags of
// compressed data, one-pass signature, signature, marker, literal).
bool
is_openpgp_start(unsigned char b)
{
  return (b >= 0xA0 && b <= 0xA3) || b == 0xC8 || (b >= 0x90 && b <= 0x92) || b == 0x3D || b == 0xC4
      || (b >= 0x88 && b <= 0x8B) || b == 0xC2;
}

// End (exclusive) of the JSON object starting at `start`, or npos.
std::size_t
json_object_end(std::string_view s, std::size_t start)
{
  if (start >= s.size() || s[start] != '{') {
    return std::string_view::npos;
  }
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = start; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        return std::string_view::npos;
      }
      if (--depth == 0) {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}

// End (exclusive) of the OpenPGP message starting at `start`, or npos when the framing cannot be
// followed (then the rest is one blob).
std::size_t
openpgp_message_end(std::string_view s, std::size_t start)
{
  std::size_t pos = start;
  bool seen_literal = false;
  while (pos < s.size()) {
    const auto hdr = static_cast<unsigned char>(s[pos]);
    if ((hdr & 0x80U) == 0) {
      return std::string_view::npos;
    }
    unsigned tag = 0;
    std::uint64_t len = 0;
    std::size_t p = pos + 1;
    if ((hdr & 0x40U) != 0) { // new format
      tag = hdr & 0x3FU;
      if (p >= s.size()) {
        return std::string_view::npos;
      }
      const auto b0 = static_cast<unsigned char>(s[p]);
      if (b0 < 192) {
        len = b0;
        p += 1;
      } else if (b0 < 224) {
        if (p + 1 >= s.size()) {
          return std::string_view::npos;
        }
        len = ((static_cast<std::uint64_t>(b0) - 192) << 8U) + static_cast<unsigned char>(s[p + 1]) + 192;
        p += 2;
      } else if (b0 == 255) {
        if (p + 4 >= s.size()) {
          return std::string_view::npos;
        }
        len = 0;
        for (int i = 1; i <= 4; ++i) {
          len = (len << 8U) | static_cast<unsigned char>(s[p + static_cast<std::size_t>(i)]);
        }
        p += 5;
      } else {
        return std::string_view::npos; // partial body lengths: not followed
      }
    } else { // old format
      tag = (hdr >> 2U) & 0x0FU;
      const unsigned ltype = hdr & 0x03U;
      if (ltype == 3) {
        return std::string_view::npos; // indeterminate: runs to the end of the data
      }
      const std::size_t n = ltype == 0 ? 1 : (ltype == 1 ? 2 : 4);
      if (p + n > s.size()) {
        return std::string_view::npos;
      }
      for (std::size_t i = 0; i < n; ++i) {
        len = (len << 8U) | static_cast<unsigned char>(s[p + i]);
      }
      p += n;
    }
    if (len > s.size() - p) {
      return std::string_view::npos;
    }
    pos = p + static_cast<std::size_t>(len);
    if (tag == 11) {
      seen_literal = true;
    } else if (tag == 8) {
      return pos; // a compressed packet with a definite length is the whole message
    } else if (tag == 2 && seen_literal) {
      return pos;
    }
  }
  return std::string_view::npos;
}

} // namespace

SignatureFormat
signature_format(std::string_view blob)
{
  if (blob.substr(0, k_sigstore_prefix.size()) == k_sigstore_prefix) {
    return SignatureFormat::sigstore;
  }
  if (!blob.empty() && is_openpgp_start(static_cast<unsigned char>(blob.front()))) {
    return SignatureFormat::simple_signing;
  }
  return SignatureFormat::unknown;
}

std::vector<std::string>
split_signatures_by_format(std::string_view blob)
{
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < blob.size()) {
    const std::string_view rest = blob.substr(pos);
    std::size_t end = std::string_view::npos;
    switch (signature_format(rest)) {
    case SignatureFormat::sigstore:
      end = json_object_end(rest, k_sigstore_prefix.size());
      break;
    case SignatureFormat::simple_signing:
      end = openpgp_message_end(rest, 0);
      break;
    case SignatureFormat::unknown:
      break;
    }
    if (end == std::string_view::npos || end == 0) {
      out.emplace_back(rest);
      break;
    }
    out.emplace_back(rest.substr(0, end));
    pos += end;
  }
  return out;
}

Result<std::vector<std::string>>
split_signatures(std::string_view blob, const std::optional<std::vector<std::size_t>>& sizes)
{
  std::vector<std::string> out;
  if (sizes) {
    std::size_t off = 0;
    for (const std::size_t n : *sizes) {
      if (n > blob.size() - off) {
        return make_error(Errc::invalid_input, "signature sizes exceed the stored blob (" + std::to_string(blob.size())
                                                 + " bytes)");
      }
      out.emplace_back(blob.substr(off, n));
      off += n;
    }
    if (off != blob.size()) {
      return make_error(Errc::invalid_input, "signature sizes cover " + std::to_string(off) + " of "
                                               + std::to_string(blob.size()) + " stored bytes");
    }
  } else {
    out = split_signatures_by_format(blob);
  }
  // Threat: a registry (A2) attaching thousands of huge signatures to exhaust the hook's time
  // and memory (cosign CVE-2023-46737 class).
  if (out.size() > k_max_signatures) {
    return make_error(Errc::invalid_input, std::to_string(out.size()) + " signatures, more than the limit of "
                                             + std::to_string(k_max_signatures));
  }
  for (const auto& s : out) {
    if (s.size() > k_max_signature_bytes) {
      return make_error(Errc::invalid_input, "a signature of " + std::to_string(s.size())
                                               + " bytes exceeds the limit of " + std::to_string(k_max_signature_bytes));
    }
  }
  return out;
}

} // namespace hardrun::image
