// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "hardrun/spec/json.hpp"

namespace hardrun::spec {

// Serialize `value`, an edited copy of `original` (which was parsed from `original_text`), so that
// every subtree the edit did not change is copied from the original text byte for byte: number
// spellings ("1.50"), escapes ("\u003c" as Go writes it), spacing. Only the objects and arrays on
// the path to a change are rebuilt, in `layout`. `original_text` must be the text `original` was
// strictly parsed from.
[[nodiscard]] std::string
serialize_preserving(const Json& value, const Json& original, std::string_view original_text, const Layout& layout);

} // namespace hardrun::spec
