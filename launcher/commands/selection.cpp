// SPDX-License-Identifier: Apache-2.0
#include "selection.hpp"

#include <cerrno>
#include <cstdlib>

namespace hardrun::commands {

Result<std::string>
real_path(const std::string& path, const char* what)
{
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) {
    return make_sys_error(errno, std::string(what) + " " + path);
  }
  std::string out(real);
  std::free(real);
  return out;
}

Result<Selection>
select_config_and_profile(const std::string& config, const std::string& policy)
{
  Selection s;
  s.explicit_config = !config.empty();
  s.config_file = s.explicit_config ? config : config::default_path();
  if (s.explicit_config) {
    HARDRUN_TRY_ASSIGN(abs, real_path(config, "configuration"));
    s.config_file = abs;
  }
  HARDRUN_TRY_ASSIGN(cfg, config::load(s.config_file, s.explicit_config));
  s.config = std::move(cfg);
  s.profile = policy.empty() ? s.config.profile : policy;
  if (s.profile.find('/') != std::string::npos || (s.profile.size() > 5 && s.profile.substr(s.profile.size() - 5) == ".json")) {
    HARDRUN_TRY_ASSIGN(abs, real_path(s.profile, "profile"));
    s.profile = abs;
  }
  HARDRUN_TRY_ASSIGN(loaded, load_policy(s.profile));
  s.loaded = std::move(loaded);
  return s;
}

} // namespace hardrun::commands
