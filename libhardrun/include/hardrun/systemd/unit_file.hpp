// SPDX-License-Identifier: Apache-2.0
// systemd/quadlet unit files (systemd.syntax(7)): "[Section]" headers, "Key=value" lines, "#"/";"
// comments, a trailing backslash continues a line. Keys repeat; order is kept, so a drop-in's
// Image= appended after the unit's wins as quadlet's LookupLast does.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::systemd {

inline constexpr std::size_t k_max_unit_bytes = 1U << 20U;

struct Entry {
  std::string section;
  std::string key;
  std::string value;
  std::size_t line = 0; // 1-based line in its file; 0 for entries built in memory
};

struct UnitFile {
  std::string source; // file it was read from ("" when built in memory)
  std::vector<std::string> sections; // in order of first appearance
  std::vector<Entry> entries;

  // Append KEY=VALUE to SECTION (created at the end when new).
  void add(const std::string& section, const std::string& key, const std::string& value);
  // Every value of KEY in SECTION, in order.
  [[nodiscard]] std::vector<std::string> values(std::string_view section, std::string_view key) const;
  // The last value (the one quadlet and systemd use for single-valued keys).
  [[nodiscard]] std::optional<std::string> last(std::string_view section, std::string_view key) const;
  [[nodiscard]] const Entry* last_entry(std::string_view section, std::string_view key) const;
  [[nodiscard]] bool has_section(std::string_view section) const;
};

// Parse unit text; `path` names it in errors. Refuses NUL bytes, lines outside a section, lines
// without "=", empty keys, and more than k_max_unit_bytes.
[[nodiscard]] Result<UnitFile> parse_unit(std::string_view text, const std::string& path);

// Read and parse a unit file (regular file, no symlink as last component, size-limited).
[[nodiscard]] Result<UnitFile> load_unit(const std::string& path);

// Render: sections in order, one "Key=value" per entry, a blank line between sections.
// Values must not hold a newline or NUL (render refuses them: a newline would inject keys).
[[nodiscard]] Result<std::string> render_unit(const UnitFile& unit);

// Append the entries of a drop-in after the unit's (quadlet's merge: later values win).
void merge_dropin(UnitFile& unit, const UnitFile& dropin);

// Split a value into words the way quadlet splits GlobalArgs=/PodmanArgs= (whitespace, with
// "…" and '…' quoting and backslash escapes). Unbalanced quotes keep the rest as one word.
[[nodiscard]] std::vector<std::string> split_words(std::string_view value);

} // namespace hardrun::systemd
