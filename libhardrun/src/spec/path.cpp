// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/path.hpp"

namespace hardrun::spec {

std::optional<std::string>
clean_absolute(std::string_view path)
{
  if (path.empty() || path.front() != '/') {
    return std::nullopt;
  }
  std::string out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    while (pos < path.size() && path[pos] == '/') {
      ++pos;
    }
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::string_view comp = path.substr(pos, end - pos);
    pos = end;
    if (comp.empty() || comp == ".") {
      continue;
    }
    if (comp == "..") {
      return std::nullopt;
    }
    out += '/';
    out += comp;
  }
  return out.empty() ? std::string("/") : out;
}

bool
is_clean_absolute(std::string_view path)
{
  const auto cleaned = clean_absolute(path);
  return cleaned && *cleaned == path;
}

bool
is_within(std::string_view inner, std::string_view outer)
{
  if (outer == "/") {
    return !inner.empty() && inner.front() == '/';
  }
  return inner == outer || (inner.size() > outer.size() && inner.substr(0, outer.size()) == outer && inner[outer.size()] == '/');
}

} // namespace hardrun::spec
