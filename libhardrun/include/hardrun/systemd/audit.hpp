// SPDX-License-Identifier: Apache-2.0
// Static lint of a quadlet .container unit against a hardening profile (hardrun audit FILE).
// Pure: the unit (with its drop-ins merged) and the profile in, findings and a score out.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hardrun/policy/policy.hpp"
#include "hardrun/systemd/unit_file.hpp"

namespace hardrun::systemd {

struct AuditFinding {
  std::string rule;    // e.g. "read-only"
  std::string key;     // the quadlet key concerned, e.g. "ReadOnly"
  std::string source;  // file:line of the offending entry, or the unit file when a key is missing
  std::string message;
  std::string fix;
  // Advice (a missing health check) is reported but neither lowers the score nor fails the
  // audit: the unit is as hardened without it, only its updates are less safe.
  bool advisory = false;
};

struct AuditResult {
  std::vector<AuditFinding> findings;
  std::size_t passed = 0; // rules without findings (advice does not count)
  std::size_t total = 0;  // rules checked, advisory ones excluded
  [[nodiscard]] bool clean() const;
};

// Every rule audit_unit() checks, in report order.
[[nodiscard]] std::vector<std::string> audit_rule_names();

[[nodiscard]] AuditResult audit_unit(const UnitFile& unit, const policy::Policy& policy);

} // namespace hardrun::systemd
