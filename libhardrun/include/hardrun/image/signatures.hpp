// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::image {

// Caps on signature material (security.md R8): one blob, and blobs per manifest digest. Over a
// cap is an error (deny), never a silent truncation.
inline constexpr std::size_t k_max_signature_bytes = 64U << 10U;
inline constexpr std::size_t k_max_signatures = 100;

// c/image's sigstore blob prefix (internal/signature/signature.go); simple-signing blobs are raw
// OpenPGP messages with no prefix.
inline constexpr std::string_view k_sigstore_prefix{"\0sigstore-json\n", 15};

enum class SignatureFormat { simple_signing, sigstore, unknown };

// Classify a blob the way c/image's signature.FromBlob does (first bytes).
[[nodiscard]] SignatureFormat signature_format(std::string_view blob);

// Split the concatenated blobs of one manifest digest (storage big-data "signature-<hex>").
// With `sizes` (the image metadata's signatures-sizes entry): the sizes must cover the blob
// exactly. Without (the metadata overwrite hazard, formats.md §4.4): split by format, see
// split_signatures_by_format. Every piece is checked against k_max_signature_bytes and the count
// against k_max_signatures. Errors are Errc::invalid_input.
[[nodiscard]] Result<std::vector<std::string>>
split_signatures(std::string_view blob, const std::optional<std::vector<std::size_t>>& sizes);

// The fallback splitter: a sigstore blob is the prefix plus one JSON object (its end is found
// by bracket matching outside strings); a simple-signing blob is an OpenPGP message whose end is
// found from packet framing (RFC 4880 §4.2: it ends with the Signature packet that follows the
// Literal Data packet). An indeterminate-length packet (gpg's compressed packet) runs to the end
// of the data, so everything from there on is one blob. Bytes that fit neither format become
// one final blob, which the verifier then refuses. Never throws away bytes.
[[nodiscard]] std::vector<std::string> split_signatures_by_format(std::string_view blob);

} // namespace hardrun::image
