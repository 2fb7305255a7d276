// SPDX-License-Identifier: Apache-2.0
//
// hardrun precreate: podman's precreate hook stage (hooks.d 1.0.0, stages ["precreate"]): the
// OCI config arrives on standard input and the hardened config leaves on standard output, so a
// host hardens every podman container without changing its runtime. Same engine as the shim.
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/engine/harden.hpp"
#include "hardrun/runtime/shim.hpp"
#include "hardrun/spec/document.hpp"
#include "hardrun/sys/fs.hpp"
#include "input.hpp"

namespace hardrun::commands {

ExitCode
run_precreate(const cli::PrecreateOptions& o)
{
  const bool explicit_config = !o.config.empty();
  const std::string config_file = explicit_config ? o.config : config::default_path();
  auto cfg = config::load(config_file, explicit_config);
  if (!cfg) {
    return report_error(cfg.error());
  }
  auto loaded = load_policy(o.policy.empty() ? cfg->profile : o.policy);
  if (!loaded) {
    return report_error(loaded.error());
  }
  // Drain standard input first, with a cap (a writer must never block on us: security.md R2).
  auto text = sys::read_fd(STDIN_FILENO, 4U << 20U, "standard input");
  if (!text) {
    return report_error(text.error());
  }
  auto doc = spec::Document::parse(*text, "config on standard input");
  if (!doc) {
    return report_error(doc.error());
  }
  const runtime::InjectHook inject(
    runtime::hook_spec(*cfg, cfg->source == "built-in defaults" ? std::string() : config_file, std::nullopt));
  engine::Extras extras;
  if (cfg->inject_hook) {
    extras.modifiers.push_back(&inject);
  }
  const modify::Context ctx{loaded->policy, loaded->allocation};
  auto outcome = engine::harden(*doc, ctx, check::Options{std::nullopt, std::nullopt}, extras);
  if (!outcome) {
    return report_error(outcome.error());
  }
  if (!outcome->findings.empty()) {
    for (const auto& f : outcome->findings) {
      std::cerr << "hardrun precreate: refused: " << f.rule << ": " << f.pointer << ": " << f.message
                << (f.remedy.empty() ? "" : " — " + f.remedy) << '\n';
    }
    return ExitCode::denied;
  }
  if (auto w = sys::write_all(STDOUT_FILENO, outcome->output, "standard output"); !w) {
    return report_error(w.error());
  }
  return ExitCode::ok;
}

} // namespace hardrun::commands
