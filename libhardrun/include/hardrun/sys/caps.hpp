// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace hardrun::sys {

// Whether `name` ("CAP_NET_BIND_SERVICE") is a capability libcap-ng knows. Profile allow-lists
// are checked with this so that a typo is an error instead of a silently empty allow-list.
[[nodiscard]] bool is_known_capability(std::string_view name);

} // namespace hardrun::sys
