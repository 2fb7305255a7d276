// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::hook {

// What goes into the hooks.d 1.0.0 descriptor of hardrun-hook (oci-hooks(5)).
struct DescriptorOptions {
  std::string hook_path;        // absolute path of hardrun-hook
  std::string config;           // --config FILE; empty: not passed (default path)
  std::string signature_policy; // --signature-policy FILE; empty: not passed
  unsigned timeout_seconds = 15; // hooks.d "timeout": the runtime's backstop (R1), > the hook's deadline
  std::string stage = "prestart"; // prestart or createRuntime
};

// The descriptor JSON (pretty, newline-terminated), for `hardrun install-hook` and
// `cmake --install`: absolute path, argv[0] "hardrun-hook", an explicit `env` (PATH and LC_ALL
// pinned: the hook would otherwise inherit the caller's environment, security.md R13 / E7),
// `timeout` always set (a missing one means podman's 240 s: E3), `when: {always: true}` and
// the one stage. Errc::invalid_input on a relative path, timeout 0 or an unknown stage.
[[nodiscard]] Result<std::string> render_hooks_d(const DescriptorOptions& options);

// The environment written into the descriptor.
[[nodiscard]] std::vector<std::string> pinned_environment();

} // namespace hardrun::hook
