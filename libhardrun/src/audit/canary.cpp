// SPDX-License-Identifier: Apache-2.0
#include "hardrun/audit/canary.hpp"

#include <charconv>
#include <cstdio>

namespace hardrun::audit {
namespace {

std::string_view
field_value(std::string_view line, std::string_view key)
{
  if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') {
    return {};
  }
  line.remove_prefix(key.size() + 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    line.remove_prefix(1);
  }
  return line;
}

template <class T>
std::optional<T>
number(std::string_view s, int base)
{
  T v{};
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v, base);
  if (ec != std::errc() || p == s.data()) {
    return std::nullopt;
  }
  return v;
}

std::string
hex(std::uint64_t v)
{
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

} // namespace

CanaryReport
parse_canary_output(std::string_view out)
{
  CanaryReport r;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto nl = out.find('\n', pos);
    std::string_view line = out.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? out.size() : nl + 1;
    if (line == "hardrun-canary: done") {
      r.done = true;
      continue;
    }
    const auto colon = line.find(':');
    const std::string_view key = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
    const std::string_view v = key.empty() ? std::string_view() : field_value(line, key);
    if (v.empty()) {
      continue;
    }
    if (key == "Uid") {
      // Uid: real effective saved fs
      const auto tab = v.find_first_of(" \t");
      if (tab != std::string_view::npos) {
        auto rest = v.substr(tab);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
          rest.remove_prefix(1);
        }
        r.uid = number<std::uint32_t>(rest.substr(0, rest.find_first_of(" \t")), 10);
      }
    } else if (key == "CapEff") {
      r.cap_eff = number<std::uint64_t>(v, 16);
    } else if (key == "CapBnd") {
      r.cap_bnd = number<std::uint64_t>(v, 16);
    } else if (key == "NoNewPrivs") {
      r.no_new_privs = number<int>(v, 10);
    } else if (key == "Seccomp") {
      r.seccomp = number<int>(v, 10);
    } else if (key == "root-write") {
      r.root_write = std::string(v);
    }
  }
  return r;
}

std::vector<std::string>
canary_gaps(const CanaryReport& r)
{
  std::vector<std::string> gaps;
  if (!r.done) {
    gaps.emplace_back("the canary did not run to the end");
  }
  if (!r.uid) {
    gaps.emplace_back("no Uid line");
  } else if (*r.uid == 0) {
    gaps.emplace_back("runs as uid 0");
  }
  if (!r.cap_eff) {
    gaps.emplace_back("no CapEff line");
  } else if (*r.cap_eff != 0) {
    gaps.emplace_back("CapEff " + hex(*r.cap_eff) + " (want 0)");
  }
  if (!r.no_new_privs) {
    gaps.emplace_back("no NoNewPrivs line");
  } else if (*r.no_new_privs != 1) {
    gaps.emplace_back("NoNewPrivs " + std::to_string(*r.no_new_privs) + " (want 1)");
  }
  if (!r.seccomp) {
    gaps.emplace_back("no Seccomp line");
  } else if (*r.seccomp != 2) {
    gaps.emplace_back("Seccomp " + std::to_string(*r.seccomp) + " (want 2, filter mode)");
  }
  if (r.root_write != "EROFS") {
    gaps.emplace_back("writing to / gave " + (r.root_write.empty() ? std::string("no result") : r.root_write) +
                      " (want EROFS: read-only root)");
  }
  return gaps;
}

} // namespace hardrun::audit
