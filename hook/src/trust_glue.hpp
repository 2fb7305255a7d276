// SPDX-License-Identifier: Apache-2.0
// The one place the hook touches the trust library (trust/policy.hpp, trust/decision.hpp).
#pragma once

#include <memory>
#include <string>

#include "hardrun/base/result.hpp"
#include "hardrun/image/evidence.hpp"
#include "hardrun/trust/decision.hpp"

namespace hardrun::hook {

class Trust {
public:
  Trust();
  ~Trust();
  Trust(const Trust&) = delete;
  Trust& operator=(const Trust&) = delete;

  // Load the containers-policy.json(5) file and its keys (before the sandbox: key files are
  // trusted input). Errors name the path (R5: no policy means deny everything).
  [[nodiscard]] Result<void> load(const std::string& path);
  [[nodiscard]] Result<trust::Decision> decide(const image::Evidence& evidence) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace hardrun::hook
