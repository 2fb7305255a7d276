// SPDX-License-Identifier: Apache-2.0
// Shared by the container half (audit.cpp) and the image half (audit_image.cpp) of hardrun audit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../cli.hpp"
#include "hardrun/base/exit_code.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::commands {

// podman with the --root/--runroot given to audit.
[[nodiscard]] std::vector<std::string> podman_base(const cli::AuditOptions& o);

// The well-known check ids of a rule: JSON object, and " [CIS Docker 5.4, Kubescape C-0046, ...]".
[[nodiscard]] spec::Json ids_json(std::string_view rule);
[[nodiscard]] std::string ids_text(std::string_view rule);

// hardrun audit --image IMAGE@sha256:...: prints the report, returns ok, denied (findings) or an error.
[[nodiscard]] ExitCode audit_image(const cli::AuditOptions& o);

} // namespace hardrun::commands
