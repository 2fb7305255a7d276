// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::spec {

// Size caps of security.md R8.
inline constexpr std::size_t k_max_config_bytes = 4U << 20U;
inline constexpr std::size_t k_max_depth = 64;

// An OCI runtime config.json (runtime-spec v1.0.x/v1.1). The parsed JSON is the source of
// truth: modifiers edit it in place, and fields hardrun does not know pass through unchanged,
// in their original order. Typed reads go through the accessors below; edits through
// set()/erase() so that every change is recorded.
class Document {
public:
  // Parse strictly (see parse_strict) and check the shape of the security-relevant sections:
  // wrong types and unknown fields there are errors, naming the JSON pointer, because a runtime
  // may honour a field hardrun does not understand (security.md R8, C13).
  [[nodiscard]] static Result<Document> parse(std::string_view text, std::string source);

  [[nodiscard]] const Json& json() const { return m_json; }
  // Mutable access: the first call keeps a copy of the tree as read, which serialize() compares
  // against (a copy costs a fraction of parsing m_text again; read-only users never pay it).
  [[nodiscard]] Json& json()
  {
    if (!m_original) {
      m_original = m_json;
    }
    return m_json;
  }
  [[nodiscard]] const std::string& source() const { return m_source; }
  // The document as text: untouched subtrees exactly as they were read (serialize_preserving).
  [[nodiscard]] std::string serialize() const;

private:
  Document(Json json, std::string source, std::string text, Layout layout);
  Json m_json;
  // The tree as read, from the first mutable access on (json()); unset: m_json is unchanged.
  std::optional<Json> m_original;
  // As read: serialize() copies what an edit left untouched from it byte for byte.
  std::string m_text;
  std::string m_source;
  Layout m_layout;
};

// Check the shape of the security sections of an OCI config. Separate from parse() so that the
// engine can re-check its own output.
[[nodiscard]] Result<void> check_shape(const Json& config);

// The value at a JSON pointer, or nullptr when any part of the path is missing or of another
// type. Never throws.
[[nodiscard]] const Json* find(const Json& root, std::string_view pointer);

[[nodiscard]] std::optional<std::uint32_t> as_u32(const Json* value);

// Strings of an array of strings (missing or non-array: empty).
[[nodiscard]] std::vector<std::string> strings_at(const Json& root, std::string_view pointer);

} // namespace hardrun::spec
