// SPDX-License-Identifier: Apache-2.0
// The quadlet half of `hardrun audit` (issue 5): lint .container files and directories of them
// against the profile. audit.cpp calls it for every target that is an existing .container file or
// a directory; containers and --image are audited by audit.cpp itself.
#pragma once

#include <string>
#include <vector>

#include "../cli.hpp"
#include "hardrun/base/exit_code.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::commands {

// Prints its report (text, or JSON with options.json) and returns ok, findings (1) or an error.
// With options.json and `units`, the JSON array of units goes there instead of to stdout, so a
// run that also audits containers prints one JSON document.
[[nodiscard]] ExitCode audit_quadlet_files(const std::vector<std::string>& paths, const cli::AuditOptions& options,
                                           spec::Json* units = nullptr);

} // namespace hardrun::commands
