// SPDX-License-Identifier: Apache-2.0
// Internal: a structural scanner over c/storage's record arrays (containers.json, images.json).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "hardrun/base/result.hpp"

namespace hardrun::image::detail {

// One element of a top-level JSON array of objects.
struct RecordView {
  std::string_view text;     // the whole object, "{...}"
  std::string_view id_raw;   // raw (still escaped) text of the first top-level "id" string value
  bool id_escaped = false;   // the id value or a key has a backslash escape: compare after decoding
  bool id_repeated = false;  // "id" appears more than once at the top level
};

// Walk a JSON array of objects without building a DOM: strings are skipped with memchr, only
// bracket structure and the top-level "id" of each element are looked at. Linear in the input
// and allocation-free, so a store with thousands of records costs little more than one with
// ten (the hook's benchmark). The scan checks structure (balanced brackets of the right kind,
// terminated strings, commas, no trailing data, depth <= max_depth); the record a caller picks
// must still be parsed with spec::parse_strict, which applies the full strict rules (R8).
// `visit` returns false to stop early.
[[nodiscard]] Result<void> scan_records(std::string_view text, std::string_view what,
                                        const std::function<bool(const RecordView&)>& visit,
                                        std::size_t max_depth = 64);

} // namespace hardrun::image::detail
