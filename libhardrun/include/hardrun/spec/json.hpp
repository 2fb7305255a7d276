// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hardrun/base/result.hpp"

namespace hardrun::spec {

// Objects keep their key order, so a rewrite leaves untouched parts as they were.
using Json = nlohmann::ordered_json;

struct ParseLimits {
  std::size_t max_bytes = 4U << 20U;
  std::size_t max_depth = 64;
};

// Parse a JSON document strictly (security.md R8), for every file hardrun decides on:
// - duplicate object keys are an error (Go's encoding/json, which runc uses, keeps the last
//   one; a checker that saw the first would be fooled by a parser differential);
// - NUL characters in strings or keys, invalid UTF-8, trailing data are errors;
// - more than max_bytes or nesting deeper than max_depth is an error (no stack or memory
//   exhaustion from hostile input);
// - the top level must be an object.
// Errors name `what` (usually the file), the JSON pointer or byte offset, and are
// Errc::invalid_input.
[[nodiscard]] Result<Json> parse_strict(std::string_view text, std::string_view what, const ParseLimits& limits);

// How a document was laid out, so it can be written back the same way.
struct Layout {
  int indent = -1; // -1: compact (podman's config.json); otherwise spaces per level
  bool trailing_newline = false;
};

[[nodiscard]] Layout detect_layout(std::string_view text);
[[nodiscard]] std::string serialize(const Json& json, const Layout& layout);

// "/a/b~1c" from components, with RFC 6901 escaping.
[[nodiscard]] std::string pointer_append(std::string_view base, std::string_view token);
[[nodiscard]] std::string pointer_append(std::string_view base, std::size_t index);

} // namespace hardrun::spec
