// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/modify/modifier.hpp"
#include "hardrun/spec/document.hpp"

namespace hardrun::engine {

struct Outcome {
  modify::Changes changes;              // what the chain changed, in order
  std::vector<check::Finding> findings; // what the validator found in the result
  // The hardened config text, only when findings is empty: the engine never hands out a config
  // that fails its own validator.
  std::string output;
};

// Apply the default chain to `doc` (in place), re-check the shape of the result, run the
// validator on it, and serialize it in the input's layout when it passes. Shared by
// `hardrun harden`, the runtime shim and the precreate hook, so the three cannot drift.
[[nodiscard]] Result<Outcome> harden(spec::Document& doc, const modify::Context& ctx, const check::Options& options);

// What a particular rewrite point adds to the default chain: the runtime shim injects the
// admission hook and binds secrets; its checks (the hook is present, no env-less
// createContainer hook) run with the validator.
struct Extras {
  std::vector<const modify::Modifier*> modifiers; // run after the default chain, in order
  std::function<std::vector<check::Finding>(const spec::Json&)> checks;
};
[[nodiscard]] Result<Outcome>
harden(spec::Document& doc, const modify::Context& ctx, const check::Options& options, const Extras& extras);

// The container id of a podman bundle path (<storage>/<driver>-containers/<id>/userdata).
[[nodiscard]] std::optional<std::string> container_id_of_bundle(const std::string& bundle);

} // namespace hardrun::engine
