// SPDX-License-Identifier: Apache-2.0
#include "hardrun/sys/caps.hpp"

#include <cap-ng.h>

#include <algorithm>
#include <cctype>

namespace hardrun::sys {

bool
is_known_capability(std::string_view name)
{
  constexpr std::string_view k_prefix = "CAP_";
  if (name.substr(0, k_prefix.size()) != k_prefix || name.size() == k_prefix.size()) {
    return false;
  }
  std::string bare(name.substr(k_prefix.size()));
  // OCI spells capabilities in upper case; refuse other spellings rather than guess.
  if (!std::all_of(bare.begin(), bare.end(), [](unsigned char c) { return std::isupper(c) || c == '_' || std::isdigit(c); })) {
    return false;
  }
  std::transform(bare.begin(), bare.end(), bare.begin(), [](unsigned char c) { return std::tolower(c); });
  return capng_name_to_capability(bare.c_str()) >= 0;
}

} // namespace hardrun::sys
