// SPDX-License-Identifier: Apache-2.0
#include "hardrun/sys/env.hpp"

#include <charconv>

#include "hardrun/sys/fs.hpp"

namespace hardrun::sys {
namespace {

bool
parse_u32(std::string_view text, std::uint32_t& out)
{
  if (text.empty()) {
    return false;
  }
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v > 0xffffffffULL) {
    return false;
  }
  out = static_cast<std::uint32_t>(v);
  return true;
}

} // namespace

Result<std::vector<HostRange>>
parse_subid(std::string_view text, std::string_view user, std::string_view file)
{
  std::vector<HostRange> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const auto c1 = line.find(':');
    const auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    HostRange range;
    if (c2 == std::string_view::npos || !parse_u32(line.substr(c1 + 1, c2 - c1 - 1), range.start)
        || !parse_u32(line.substr(c2 + 1), range.size)) {
      return make_error(Errc::invalid_input,
                        std::string(file) + ":" + std::to_string(line_no) + ": malformed line, expected NAME:START:COUNT");
    }
    if (line.substr(0, c1) != user) {
      continue;
    }
    if (range.size == 0 || static_cast<std::uint64_t>(range.start) + range.size > 0x100000000ULL) {
      return make_error(Errc::invalid_input,
                        std::string(file) + ":" + std::to_string(line_no) + ": range is empty or overflows 2^32");
    }
    out.push_back(range);
  }
  return out;
}

Result<std::vector<HostRange>>
LinuxEnv::subid_ranges(IdKind kind, std::string_view user) const
{
  const std::string file = kind == IdKind::uid ? "/etc/subuid" : "/etc/subgid";
  auto loaded = read_file(file, ReadOptions{1U << 20U, false, false, true});
  if (!loaded) {
    if (loaded.error().code == Errc::not_found) {
      return std::vector<HostRange>{};
    }
    return Unexpected(std::move(loaded).error());
  }
  return parse_subid(loaded->bytes, user, file);
}

} // namespace hardrun::sys
