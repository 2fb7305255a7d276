// SPDX-License-Identifier: Apache-2.0
#include "hardrun/hook/args.hpp"

#include "hardrun/spec/path.hpp"

namespace hardrun::hook {

Result<Args>
parse_args(const std::vector<std::string>& argv)
{
  Args args;
  bool have_config = false;
  bool have_policy = false;
  bool have_stage = false;
  const auto usage = [](const std::string& msg) { return make_error(Errc::invalid_input, msg + "; " + k_usage); };
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string opt = argv[i];
    std::string value;
    bool inline_value = false;
    if (const auto eq = opt.find('='); opt.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = opt.substr(eq + 1);
      opt.erase(eq);
      inline_value = true;
    }
    std::string* target = nullptr;
    bool* seen = nullptr;
    bool is_path = true;
    if (opt == "--config") {
      target = &args.config;
      seen = &have_config;
    } else if (opt == "--signature-policy") {
      target = &args.signature_policy;
      seen = &have_policy;
    } else if (opt == "--stage") {
      target = &args.stage;
      seen = &have_stage;
      is_path = false;
    } else {
      return usage("unknown argument \"" + argv[i] + "\"");
    }
    if (*seen) {
      return usage(opt + " given twice");
    }
    *seen = true;
    if (!inline_value) {
      if (i + 1 >= argv.size()) {
        return usage(opt + " needs a value");
      }
      value = argv[++i];
    }
    // Threat: a relative path resolves against the cwd the runtime chose (E7).
    if (is_path && !spec::is_clean_absolute(value)) {
      return usage(opt + " \"" + value + "\" is not a clean absolute path");
    }
    *target = value;
  }
  if (args.stage != "prestart" && args.stage != "createRuntime") {
    return usage("--stage must be prestart or createRuntime, not \"" + args.stage + "\"");
  }
  return args;
}

} // namespace hardrun::hook
