// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hardrun::audit {

// What hardrun-canary (launcher/commands/doctor_canary.c) reports from inside a container: its
// /proc/self/status fields and whether a write to / failed with EROFS. `hardrun doctor` runs it
// through the runtime shim and judges the output here.
struct CanaryReport {
  std::optional<std::uint32_t> uid;  // effective uid (second field of Uid:)
  std::optional<std::uint64_t> cap_eff;
  std::optional<std::uint64_t> cap_bnd;
  std::optional<int> no_new_privs;
  std::optional<int> seccomp;
  std::string root_write;            // "EROFS", "written", or another errno name
  bool done = false;                 // the final line was seen (the program ran to the end)
};

[[nodiscard]] CanaryReport parse_canary_output(std::string_view out);

// Each way the report falls short of a hardened container ("uid 0", "CapEff 00000000a80425fb",
// ...); empty means hardened.
[[nodiscard]] std::vector<std::string> canary_gaps(const CanaryReport& report);

} // namespace hardrun::audit
