// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::hook {

// hardrun-hook [--config FILE] [--signature-policy FILE] [--stage prestart|createRuntime]
// argv[0] is ignored (hooks.d `args` repeat it). Paths must be clean absolute paths: the hook's
// cwd is chosen by the runtime (the bundle, or the container rootfs for createContainer: E7).
struct Args {
  std::string config;           // empty: config::default_path(), missing file = defaults
  std::string signature_policy; // empty: the config's signaturePolicy
  std::string stage = "prestart";
};

// Errc::invalid_input with a usage message on an unknown or repeated option, a missing value,
// a relative path, or a stage other than prestart/createRuntime (createContainer and
// startContainer run in the container's namespaces with its environment: security.md §0.2).
[[nodiscard]] Result<Args> parse_args(const std::vector<std::string>& argv);

inline constexpr const char* k_usage =
  "usage: hardrun-hook [--config FILE] [--signature-policy FILE] [--stage prestart|createRuntime]";

} // namespace hardrun::hook
