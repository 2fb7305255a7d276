// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

namespace hardrun::audit {

// The well-known check ids a hardrun rule corresponds to (../shared/reference/prior-art.md §5):
// CIS Docker Benchmark 5.x/4.x (docker-bench-security numbering), Kubescape controls (C-xxxx),
// Trivy misconfiguration checks (KSV-xxxx / DS-xxxx) and dockle (CIS-DI / DKL). Empty where the
// tool has no matching check. Used by `hardrun audit` so a finding can be matched to the report
// of the tool a team already runs.
struct CheckIds {
  std::string_view rule;
  std::string_view cis;
  std::string_view kubescape;
  std::string_view trivy;
  std::string_view dockle;
  std::string_view title;
};

// Every rule `hardrun audit` reports: the validator's rules (check::rule_names()), the podman
// view (privileged, ...) and the image rules.
[[nodiscard]] const std::vector<CheckIds>& check_catalog();

// nullptr when the rule is not in the catalog.
[[nodiscard]] const CheckIds* ids_for(std::string_view rule);

} // namespace hardrun::audit
