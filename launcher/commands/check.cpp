// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "commands.hpp"
#include "input.hpp"
#include "report.hpp"

namespace hardrun::commands {

ExitCode
run_check(const cli::CheckOptions& o)
{
  auto policy = load_policy(o.policy);
  if (!policy) {
    return report_error(policy.error());
  }
  auto input = load_config(o.bundle, o.file);
  if (!input) {
    return report_error(input.error());
  }
  const modify::Context ctx{policy->policy, policy->allocation};
  const auto findings = check::validate(input->doc.json(), ctx, check::Options{input->container_id, std::nullopt});
  if (o.json) {
    spec::Json j{{"source", input->path},
                 {"policy", policy->policy.source},
                 {"compliant", findings.empty()},
                 {"findings", report::findings_json(findings)}};
    std::cout << j.dump(2, ' ', false, spec::Json::error_handler_t::replace) << '\n';
  } else if (findings.empty()) {
    std::cout << input->path << ": compliant with profile " << policy->policy.name << '\n';
  } else {
    std::cout << input->path << ": " << findings.size() << " finding(s) against profile " << policy->policy.name << '\n';
    report::print_findings(std::cout, findings);
  }
  return findings.empty() ? ExitCode::ok : ExitCode::denied;
}

} // namespace hardrun::commands
