// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <string>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/pointer_names.hpp"
#include "modifiers.hpp"

namespace hardrun::modify {
namespace {

// Empties all five capability sets, keeping only capabilities the profile allows and the config
// asked for. A kept capability is put into every set, ambient included, because the process runs
// as a non-root uid: without ambient, execve() would clear it (capabilities(7)). An inheritable
// or ambient set left non-empty by accident is how CVE-2022-29162 kept privileges, so all five
// are always written explicitly.
class DropCapabilities final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "drop-capabilities"; }

  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    std::vector<std::string> requested;
    for (const auto set : spec::ptr::k_capability_sets) {
      const std::string p = spec::pointer_append(spec::ptr::capabilities, set);
      for (auto& cap : spec::strings_at(config, p)) {
        requested.push_back(std::move(cap));
      }
    }
    spec::Json keep = spec::Json::array();
    for (const auto& cap : ctx.policy.allowed_capabilities) {
      if (std::find(requested.begin(), requested.end(), cap) != requested.end()) {
        keep.push_back(cap);
      }
    }
    for (const auto set : spec::ptr::k_capability_sets) {
      set_value(config, spec::pointer_append(spec::ptr::capabilities, set), keep, name(), out);
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Modifier>
make_drop_capabilities()
{
  return std::make_unique<DropCapabilities>();
}

} // namespace hardrun::modify
