// SPDX-License-Identifier: Apache-2.0
//
// hardrun install-hook: write the hooks.d 1.0.0 file for hardrun-hook where podman reads it.
// podman 4.3 reads only /usr/share/containers/oci/hooks.d unless containers.conf sets hooks_dir
// (formats.md §4.9); the file names the binary by absolute path, pins env (R13) and sets a
// timeout above the hook's own deadline (R1).
#include <sys/stat.h>

#include <iostream>

#include "commands.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/runtime/shim.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"
#include "input.hpp"

namespace hardrun::commands {

ExitCode
run_install_hook(const cli::InstallHookOptions& o)
{
  const bool explicit_config = !o.config.empty();
  const std::string config_file = explicit_config ? o.config : config::default_path();
  auto cfg = config::load(config_file, explicit_config);
  if (!cfg) {
    return report_error(cfg.error());
  }
  struct stat st{};
  if (::stat(cfg->hook_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
    // A hooks.d entry for a missing binary is silently skipped by podman (E5): fail-open.
    std::cerr << "hardrun install-hook: refused: hook binary " << cfg->hook_path
              << " is missing, not root-owned or writable by others — install hardrun-hook there or set hookPath in "
              << config_file << '\n';
    return ExitCode::denied;
  }
  const runtime::HookSpec hook = runtime::hook_spec(*cfg, cfg->source == "built-in defaults" ? std::string() : config_file,
                                                    o.signature_policy.empty() ? std::nullopt
                                                                               : std::optional<std::string>(o.signature_policy));
  spec::Json j{{"version", "1.0.0"},
               {"hook", runtime::hook_json(hook)},
               {"when", {{"always", true}}},
               {"stages", spec::Json::array({"prestart"})}};
  const std::string text = j.dump(2) + "\n";
  const std::string target = o.hooks_dir + "/00-hardrun.json";
  if (o.dry_run) {
    std::cout << "# would write " << target << '\n' << text;
    return ExitCode::ok;
  }
  ::mkdir(o.hooks_dir.c_str(), 0755);
  sys::WriteOptions wo;
  wo.mode = 0644;
  if (auto existing = sys::read_file(target, sys::ReadOptions{1U << 20U, true, true, true}); existing) {
    wo.replaces = existing->identity;
  }
  if (auto w = sys::atomic_write(target, text, wo); !w) {
    return report_error(w.error());
  }
  std::cout << "wrote " << target << " (hook " << hook.path << ", timeout " << hook.timeout << " s)\n";
  if (o.hooks_dir != "/usr/share/containers/oci/hooks.d") {
    std::cout << "note: podman reads " << o.hooks_dir << " only when containers.conf lists it in hooks_dir\n";
  }
  return ExitCode::ok;
}

} // namespace hardrun::commands
