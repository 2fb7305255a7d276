// SPDX-License-Identifier: Apache-2.0
// --config and --policy as hardrun run and hardrun quadlet resolve them: the configuration
// (explicit path made absolute, or the default), and the profile (the configuration's unless
// --policy; a path made absolute so the shim finds the same file later).
#pragma once

#include <string>

#include "hardrun/base/result.hpp"
#include "hardrun/config/config.hpp"
#include "input.hpp"

namespace hardrun::commands {

struct Selection {
  bool explicit_config = false;
  std::string config_file; // absolute when explicit
  config::Config config;
  std::string profile; // NAME, or an absolute path
  LoadedPolicy loaded;
};

// realpath(3) as a Result: the error names `what` and the path.
[[nodiscard]] Result<std::string> real_path(const std::string& path, const char* what);

[[nodiscard]] Result<Selection> select_config_and_profile(const std::string& config, const std::string& policy);

} // namespace hardrun::commands
