// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hardrun/modify/modifier.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::check {

// One violation: which rule, where (JSON pointer into config.json), what is wrong, how to fix it.
struct Finding {
  std::string rule;
  std::string pointer;
  std::string message;
  std::string remedy;
};

struct Options {
  // The container id from the bundle path, when known: podman's own bind mounts come from
  // <storage>/<driver>-containers/<id>/userdata, and only this container's are accepted.
  std::optional<std::string> container_id;
  // This container's hardrun secret directory (<secretsDir>/ctr-<id>, tmpfs): files bound from
  // directly inside it are its secrets and are accepted when read-only, nosuid, nodev, noexec.
  std::optional<std::string> secrets_dir = std::nullopt;
};

// Every rule, as a pure function of the config and the profile: the names of the modifiers
// (a config the modifier would change is a finding) and the refusal rules that no modifier fixes
// (host namespaces, sensitive host mounts, devices, writable kernel filesystems, unsafe mount
// destinations, unsafe cwd, unconfined LSM profiles). The launcher runs this on its own output
// and the hook runs it before admitting; an empty result means compliant.
[[nodiscard]] std::vector<Finding>
validate(const spec::Json& config, const modify::Context& ctx, const Options& options = {});

// The two path rules validate() applies, for the places that judge a path before there is a
// config (hardrun run's -v/--mount) or outside one (an exec process):
// the sensitive host path (from the profile) that a bind source is below or above, if any,
// after the profile's allow-list ("/" counts only when bound whole);
[[nodiscard]] std::optional<std::string> sensitive_overlap(const policy::Policy& policy, const std::string& source);
// why NAME=VALUE looks like a secret under no-secret-env ("a PEM private key", "its name"), if it
// does: a non-empty value whose name contains one of `names` (case-insensitive) or that holds a
// PEM private key (shared with hardrun audit of quadlet Environment= lines);
[[nodiscard]] std::optional<std::string>
secret_env_reason(const std::vector<std::string>& names, const std::string& name, const std::string& value);
// whether a process cwd is acceptable (clean absolute, not under /proc or /sys: CVE-2024-21626).
[[nodiscard]] bool safe_cwd_path(const std::string& cwd);

// Every rule name validate() can report, in report order.
[[nodiscard]] std::vector<std::string> rule_names();

} // namespace hardrun::check
