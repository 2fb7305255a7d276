// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "hardrun/base/result.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/spec/document.hpp"
#include "hardrun/sys/fs.hpp"

namespace hardrun::commands {

// A config.json read for harden or check.
struct ConfigInput {
  spec::Document doc;
  std::string path;                         // file path, or "-" for standard input
  std::optional<sys::FileIdentity> identity; // set for files: the atomic writer checks it
  std::optional<std::string> container_id;   // from a podman bundle path
};

// From --bundle DIR (DIR/config.json) or FILE ("-" = standard input). The file is opened with
// O_NOFOLLOW and must have a single link (security.md C1, C2).
[[nodiscard]] Result<ConfigInput> load_config(const std::string& bundle, const std::string& file);

// The profile and the host id allocation it resolves to.
struct LoadedPolicy {
  policy::Policy policy;
  policy::IdAllocation allocation;
};
[[nodiscard]] Result<LoadedPolicy> load_policy(const std::string& name_or_path);

// "hardrun: error: ..." on stderr; the exit status for the error.
[[nodiscard]] ExitCode report_error(const Error& error);

} // namespace hardrun::commands
