// SPDX-License-Identifier: Apache-2.0
#include "hardrun/systemd/unit_file.hpp"

#include <algorithm>

#include "hardrun/sys/fs.hpp"

namespace hardrun::systemd {
namespace {

std::string_view
trim(std::string_view s)
{
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) {
    return {};
  }
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

} // namespace

void
UnitFile::add(const std::string& section, const std::string& key, const std::string& value)
{
  if (!has_section(section)) {
    sections.push_back(section);
  }
  entries.push_back({section, key, value, 0});
}

std::vector<std::string>
UnitFile::values(std::string_view section, std::string_view key) const
{
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (e.section == section && e.key == key) {
      out.push_back(e.value);
    }
  }
  return out;
}

const Entry*
UnitFile::last_entry(std::string_view section, std::string_view key) const
{
  const Entry* found = nullptr;
  for (const auto& e : entries) {
    if (e.section == section && e.key == key) {
      found = &e;
    }
  }
  return found;
}

std::optional<std::string>
UnitFile::last(std::string_view section, std::string_view key) const
{
  const Entry* e = last_entry(section, key);
  return e == nullptr ? std::nullopt : std::optional<std::string>(e->value);
}

bool
UnitFile::has_section(std::string_view section) const
{
  return std::find(sections.begin(), sections.end(), section) != sections.end();
}

Result<UnitFile>
parse_unit(std::string_view text, const std::string& path)
{
  if (text.size() > k_max_unit_bytes) {
    return make_error(Errc::invalid_input, path + ": larger than " + std::to_string(k_max_unit_bytes) + " bytes");
  }
  if (text.find('\0') != std::string_view::npos) {
    return make_error(Errc::invalid_input, path + ": contains a NUL byte");
  }
  UnitFile unit;
  unit.source = path;
  std::string section;
  std::size_t lineno = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++lineno;
    const std::size_t start = lineno;
    std::string_view t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') {
      continue;
    }
    // Continuation: a trailing backslash joins the next line (with a space, as systemd does);
    // comment lines inside a continuation are skipped.
    std::string joined(t);
    while (!joined.empty() && joined.back() == '\\' && !text.empty()) {
      joined.pop_back();
      const auto nl2 = text.find('\n');
      std::string next(text.substr(0, nl2));
      text.remove_prefix(nl2 == std::string_view::npos ? text.size() : nl2 + 1);
      ++lineno;
      const auto nt = trim(next);
      if (!nt.empty() && (nt[0] == '#' || nt[0] == ';')) {
        joined += '\\';
        continue;
      }
      joined += ' ';
      joined += nt;
    }
    t = joined;
    if (t.front() == '[') {
      if (t.back() != ']' || t.size() < 3) {
        return make_error(Errc::invalid_input, path + ":" + std::to_string(start) + ": malformed section header " + std::string(t));
      }
      section = std::string(t.substr(1, t.size() - 2));
      if (!unit.has_section(section)) {
        unit.sections.push_back(section);
      }
      continue;
    }
    if (section.empty()) {
      return make_error(Errc::invalid_input, path + ":" + std::to_string(start) + ": key outside any [Section]");
    }
    const auto eq = t.find('=');
    if (eq == std::string_view::npos) {
      return make_error(Errc::invalid_input, path + ":" + std::to_string(start) + ": expected Key=value, got \"" + std::string(t) + "\"");
    }
    const auto key = trim(t.substr(0, eq));
    if (key.empty()) {
      return make_error(Errc::invalid_input, path + ":" + std::to_string(start) + ": empty key");
    }
    unit.entries.push_back({section, std::string(key), std::string(trim(t.substr(eq + 1))), start});
  }
  return unit;
}

Result<UnitFile>
load_unit(const std::string& path)
{
  sys::ReadOptions ro;
  ro.max_bytes = k_max_unit_bytes;
  ro.single_link = false;
  auto file = sys::read_file(path, ro);
  if (!file) {
    return tl::unexpected(std::move(file).error());
  }
  return parse_unit(file->bytes, path);
}

Result<std::string>
render_unit(const UnitFile& unit)
{
  std::string out;
  for (const auto& section : unit.sections) {
    if (!out.empty()) {
      out += '\n';
    }
    out += "[" + section + "]\n";
    for (const auto& e : unit.entries) {
      if (e.section != section) {
        continue;
      }
      // A newline in a value would start a new key (injection); systemd has no escape for it.
      if (e.value.find_first_of("\n\r") != std::string::npos || e.value.find('\0') != std::string::npos
          || e.key.find_first_of("=\n\r[") != std::string::npos || e.key.empty()) {
        return make_error(Errc::invalid_input, "[" + section + "] " + e.key + ": a key or value holds a newline, NUL or '='");
      }
      // A trailing backslash would swallow the next line.
      if (!e.value.empty() && e.value.back() == '\\') {
        return make_error(Errc::invalid_input, "[" + section + "] " + e.key + ": a value must not end with a backslash");
      }
      out += e.key + "=" + e.value + "\n";
    }
  }
  return out;
}

void
merge_dropin(UnitFile& unit, const UnitFile& dropin)
{
  for (const auto& e : dropin.entries) {
    if (!unit.has_section(e.section)) {
      unit.sections.push_back(e.section);
    }
    unit.entries.push_back(e);
  }
}

std::vector<std::string>
split_words(std::string_view value)
{
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < value.size()) {
        cur += value[++i];
      } else {
        cur += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (in_word) {
        words.push_back(cur);
        cur.clear();
        in_word = false;
      }
      continue;
    }
    in_word = true;
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\' && i + 1 < value.size()) {
      cur += value[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) {
    words.push_back(cur);
  }
  return words;
}

} // namespace hardrun::systemd
