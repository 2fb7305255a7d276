// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "hardrun/check/validator.hpp"
#include "hardrun/modify/modifier.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::report {

// Human-readable diff, grouped by modifier: "~ /root/readonly: false -> true",
// "+ /mounts/5: {...}", and for lists "+ CAP_X" / "- CAP_Y".
void print_changes(std::ostream& os, const modify::Changes& changes);

// One block per finding: "RULE  POINTER: MESSAGE" then "    fix: REMEDY".
void print_findings(std::ostream& os, const std::vector<check::Finding>& findings);

[[nodiscard]] spec::Json changes_json(const modify::Changes& changes);
[[nodiscard]] spec::Json findings_json(const std::vector<check::Finding>& findings);

} // namespace hardrun::report
