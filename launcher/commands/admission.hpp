// SPDX-License-Identifier: Apache-2.0
// The admission hook's decision for an image in containers-storage, for the launcher: the same
// identity lookup, the same lookaside reading and the same trust::decide(), used by
// `hardrun verify` (to explain it) and `hardrun update` (before pinning a new digest).
#pragma once

#include <string>

#include "hardrun/base/result.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/image/evidence.hpp"
#include "hardrun/trust/decision.hpp"

namespace hardrun::commands {

struct Admission {
  image::Evidence evidence;
  trust::Decision decision;
  bool allowed = false;         // the policy admits it
  std::string exception_reason; // set when denied but a configured exception admits the digest
  [[nodiscard]] bool admitted() const { return allowed || !exception_reason.empty(); }
};

// Empty policy_path / storage_root / registries_dir: the configuration's and podman's defaults.
[[nodiscard]] Result<Admission> decide_admission(const config::Config& cfg, const std::string& policy_path,
                                                 const std::string& storage_root, const std::string& registries_dir,
                                                 const std::string& image);

} // namespace hardrun::commands
