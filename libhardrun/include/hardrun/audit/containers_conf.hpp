// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::audit {

// The few containers.conf(5) settings `hardrun doctor` judges, merged over the files podman reads
// (a later file overrides an earlier one key by key, as containers/common does). Pure: the caller
// lists and reads the files (containers_conf_candidates).
struct ContainersConf {
  // [engine] hooks_dir: nullopt when no file sets it (podman then uses its built-in default).
  std::optional<std::vector<std::string>> hooks_dir;
  std::string hooks_dir_source;
  // [engine] runtime: the default OCI runtime's name or path.
  std::optional<std::string> runtime;
  std::string runtime_source;
  // [engine.runtimes] NAME = [paths...]: podman uses the first path that exists.
  std::map<std::string, std::vector<std::string>> runtimes;
  std::map<std::string, std::string> runtimes_source;
  std::vector<std::string> files; // the files merged, in order
};

// containers/common's built-in hooks_dir (pkg/config/default.go DefaultHooksDirs, podman 4.3):
// only this one. /etc/containers/oci/hooks.d is read only when containers.conf lists it.
inline constexpr std::string_view k_default_hooks_dir = "/usr/share/containers/oci/hooks.d";

// Merge one file's text. Only the keys above are interpreted; other tables and keys are skipped.
// A malformed value of one of those keys is an error naming the file and line.
[[nodiscard]] Result<void> merge_containers_conf(ContainersConf& conf, std::string_view text, const std::string& path);

// The hook directories podman reads, in increasing precedence.
[[nodiscard]] std::vector<std::string> effective_hooks_dirs(const ContainersConf& conf);

// The files podman 4.3 would read, in order (containers/common pkg/config systemConfigs):
// $CONTAINERS_CONF alone when set; else /usr/share/containers/containers.conf,
// /etc/containers/containers.conf, /etc/containers/containers.conf.d/*.conf, and for rootless
// podman $XDG_CONFIG_HOME/containers/containers.conf (or ~/.config/...) and its .d. Directories
// are listed here as "DIR/*.conf" entries; the caller expands them in sorted order.
struct ConfCandidates {
  std::vector<std::string> entries;
};
[[nodiscard]] ConfCandidates containers_conf_candidates(bool rootless, const std::optional<std::string>& containers_conf_env,
                                                        const std::string& user_config_home);

} // namespace hardrun::audit
