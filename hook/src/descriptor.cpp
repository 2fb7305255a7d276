// SPDX-License-Identifier: Apache-2.0
#include "hardrun/hook/descriptor.hpp"

#include "hardrun/spec/json.hpp"
#include "hardrun/spec/path.hpp"

namespace hardrun::hook {

std::vector<std::string>
pinned_environment()
{
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
}

Result<std::string>
render_hooks_d(const DescriptorOptions& o)
{
  const auto path_ok = [](const std::string& p, bool optional) {
    return (optional && p.empty()) || spec::is_clean_absolute(p);
  };
  if (!path_ok(o.hook_path, false)) {
    return make_error(Errc::invalid_input, "hook path \"" + o.hook_path + "\" is not a clean absolute path");
  }
  if (!path_ok(o.config, true) || !path_ok(o.signature_policy, true)) {
    return make_error(Errc::invalid_input, "--config and --signature-policy must be clean absolute paths");
  }
  if (o.timeout_seconds == 0) {
    return make_error(Errc::invalid_input, "the hooks.d timeout must be at least 1 second (R1)");
  }
  if (o.stage != "prestart" && o.stage != "createRuntime") {
    return make_error(Errc::invalid_input, "stage must be prestart or createRuntime");
  }
  spec::Json args = spec::Json::array({"hardrun-hook"});
  if (!o.config.empty()) {
    args.push_back("--config");
    args.push_back(o.config);
  }
  if (!o.signature_policy.empty()) {
    args.push_back("--signature-policy");
    args.push_back(o.signature_policy);
  }
  args.push_back("--stage");
  args.push_back(o.stage);
  spec::Json hook = {{"path", o.hook_path}, {"args", args}, {"env", pinned_environment()}, {"timeout", o.timeout_seconds}};
  const spec::Json doc = {{"version", "1.0.0"},
                          {"hook", hook},
                          {"when", {{"always", true}}},
                          {"stages", spec::Json::array({o.stage})}};
  return doc.dump(2) + "\n";
}

} // namespace hardrun::hook
