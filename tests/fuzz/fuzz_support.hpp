// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the fuzz targets (tests/fuzz/README.md). Each target is one
// LLVMFuzzerTestOneInput; the same source links with libFuzzer (-DHARDRUN_FUZZ=ON, clang) or with
// replay_main.cpp, which runs a corpus once under ctest in every build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace hardrun::fuzz {

inline std::string_view
as_text(const std::uint8_t* data, std::size_t size)
{
  return {reinterpret_cast<const char*>(data), size};
}

// A broken invariant (not a rejected input: rejecting is the parsers' job). abort() so that
// libFuzzer records the input as a crash and the replay fails.
[[noreturn]] inline void
invariant_failed(const char* what, const std::string& detail)
{
  std::fprintf(stderr, "fuzz invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Split at the first '\n': a target that takes two strings (reference + signed reference).
inline std::pair<std::string_view, std::string_view>
split_line(std::string_view text)
{
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) {
    return {text, {}};
  }
  return {text.substr(0, nl), text.substr(nl + 1)};
}

} // namespace hardrun::fuzz
