// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::sys {

// A range of host ids delegated to a user (one line of /etc/subuid or /etc/subgid).
struct HostRange {
  std::uint32_t start = 0;
  std::uint32_t size = 0;
  friend bool operator==(const HostRange&, const HostRange&) = default;
};

enum class IdKind { uid, gid };

// The syscall seam (STYLE.md §7): everything the pure layers need to know about the host goes
// through here, so unit tests can use a FakeEnv. Keep it small.
class Env {
public:
  virtual ~Env() = default;
  // The subordinate id ranges of `user` (name or numeric id) in /etc/subuid or /etc/subgid.
  // A missing file means no ranges; a malformed line is an error naming file and line.
  [[nodiscard]] virtual Result<std::vector<HostRange>> subid_ranges(IdKind kind, std::string_view user) const = 0;
};

class LinuxEnv final : public Env {
public:
  [[nodiscard]] Result<std::vector<HostRange>> subid_ranges(IdKind kind, std::string_view user) const override;
};

// Parse subuid(5)/subgid(5) text: "name:start:count" per line; '#' comments allowed.
[[nodiscard]] Result<std::vector<HostRange>>
parse_subid(std::string_view text, std::string_view user, std::string_view file);

} // namespace hardrun::sys
