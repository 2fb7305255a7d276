// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "hardrun/engine/harden.hpp"
#include "input.hpp"
#include "report.hpp"

namespace hardrun::commands {

ExitCode
run_harden(const cli::HardenOptions& o)
{
  auto policy = load_policy(o.policy);
  if (!policy) {
    return report_error(policy.error());
  }
  auto input = load_config(o.bundle, o.in);
  if (!input) {
    return report_error(input.error());
  }
  const modify::Context ctx{policy->policy, policy->allocation};
  auto outcome = engine::harden(input->doc, ctx, check::Options{input->container_id, std::nullopt});
  if (!outcome) {
    return report_error(outcome.error());
  }
  // Where the config goes: in place for a bundle, standard output for --in, else --out.
  std::string target = o.out;
  if (target.empty()) {
    target = o.bundle.empty() ? "-" : input->path;
  }
  const bool config_on_stdout = target == "-" && !o.dry_run;
  std::ostream& report = config_on_stdout ? std::cerr : std::cout;
  const bool refused = !outcome->findings.empty();

  if (o.json && !config_on_stdout) {
    spec::Json j{{"source", input->path},
                 {"policy", policy->policy.source},
                 {"dryRun", o.dry_run},
                 {"compliant", !refused},
                 {"changes", report::changes_json(outcome->changes)},
                 {"findings", report::findings_json(outcome->findings)},
                 {"written", (o.dry_run || refused) ? spec::Json(nullptr) : spec::Json(target)}};
    std::cout << j.dump(2, ' ', false, spec::Json::error_handler_t::replace) << '\n';
  } else if (o.dry_run) {
    report::print_changes(report, outcome->changes);
  }
  if (refused) {
    if (!o.json || config_on_stdout) {
      report << input->path << ": refused: " << outcome->findings.size()
             << " finding(s) that hardening cannot fix; nothing written\n";
      report::print_findings(report, outcome->findings);
    }
    return ExitCode::denied;
  }
  if (o.dry_run) {
    if (!o.json) {
      report << input->path << ": " << outcome->changes.size() << " change(s) would make it compliant with profile "
             << policy->policy.name << "; nothing written (--dry-run)\n";
    }
    return ExitCode::ok;
  }
  if (outcome->changes.empty() && target == input->path) {
    // Already hardened: leave the file (inode, mtime) alone rather than rewrite identical bytes.
    if (!o.json) {
      report << input->path << ": already compliant with profile " << policy->policy.name << "; nothing written\n";
    }
    return ExitCode::ok;
  }
  if (target == "-") {
    if (auto ok = sys::write_all(STDOUT_FILENO, outcome->output, "standard output"); !ok) {
      return report_error(ok.error());
    }
  } else {
    sys::WriteOptions wo;
    if (target == input->path) {
      wo.replaces = input->identity;
    }
    if (auto ok = sys::atomic_write(target, outcome->output, wo); !ok) {
      return report_error(std::move(ok).error().with_context("write " + target));
    }
  }
  if (!o.json) {
    report << input->path << ": hardened with profile " << policy->policy.name << " (" << outcome->changes.size()
           << " change(s))" << (target == "-" ? "" : ", written to " + target) << '\n';
  }
  return ExitCode::ok;
}

} // namespace hardrun::commands
